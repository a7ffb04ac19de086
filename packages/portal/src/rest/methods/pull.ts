import { RestFailure } from '../envelope.ts';
import type { MethodTable } from '../registry.ts';

/**
 * Push & Pull's configuration methods, refused to the wrong kind of credentials exactly as
 * Bitrix24 refuses them (modules/pull/lib/rest.php): the user's channels are not for OAuth apps,
 * an app's channels only for apps.
 */
export const pullMethods: MethodTable = {
  /** The push server's addresses and the user's signed channels (webhooks, the desktop's own sign-in). */
  'pull.config.get': {
    scopes: ['pull_channel'],
    handler: async ({ ctx, portal, auth, origin }) => {
      if (auth.via === 'app') throw new RestFailure('WRONG_AUTH_TYPE', 'Method not available for OAuth authorization.');
      return { result: await ctx.pullChannels.config(portal, auth.memberId, origin) };
    },
  },

  /** The app's own channels: they carry the app's events, never the user's messages. */
  'pull.application.config.get': {
    scopes: ['pull'],
    handler: async ({ ctx, portal, auth, origin }) => {
      if (auth.via !== 'app') {
        throw new RestFailure('WRONG_AUTH_TYPE', 'Get access to application config available only for application authorization.');
      }
      return { result: await ctx.pullChannels.config(portal, auth.memberId, origin, { application: true }) };
    },
  },
};
