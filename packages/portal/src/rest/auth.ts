import { authenticateAccessToken, isAppClient } from '../auth/oauthTokens.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { PortalContext } from '../http/context.ts';
import type { Portal } from '../store/schema.ts';
import { findWebhook } from '../store/webhooks.ts';
import { RestFailure } from './envelope.ts';
import type { RestParams } from './params.ts';
import type { RestAuth } from './registry.ts';
import { findPortalUser } from './userDirectory.ts';

/** What a request presents: an inbound webhook in its path, or an access token. */
export type RestCredentials = { kind: 'webhook'; memberId: number; secret: string } | { kind: 'token'; token: string } | { kind: 'none' };

/** `auth=` or `access_token=` in the query or body (Bitrix24's ways), else `Authorization: Bearer`. */
export function readToken(params: RestParams, authorization: string | undefined): RestCredentials {
  const auth = params.auth ?? params.access_token;
  if (typeof auth === 'string' && auth !== '') return { kind: 'token', token: auth };
  if (auth !== undefined && auth !== '') return { kind: 'token', token: '' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return bearer ? { kind: 'token', token: bearer[1] as string } : { kind: 'none' };
}

type Identity = Omit<RestAuth, 'user'>;

async function identify(ctx: PortalContext, portal: Portal, credentials: RestCredentials): Promise<Identity> {
  switch (credentials.kind) {
    case 'webhook': {
      const webhook = await findWebhook(ctx.db, portal.id, credentials.memberId, hashSecret(credentials.secret));
      if (!webhook) throw new RestFailure('INVALID_CREDENTIALS', 'Invalid request credentials');
      return { memberId: webhook.member_id, scopes: webhook.scopes.split(','), via: 'webhook' };
    }
    case 'token': {
      const check = await authenticateAccessToken(ctx, portal, credentials.token);
      if (!check.ok) throw new RestFailure(check.error, check.description);
      // An app's token is not the desktop's: Bitrix24 refuses some methods to OAuth apps (pull.config.get).
      return {
        memberId: check.memberId,
        scopes: check.scopes,
        via: isAppClient(check.clientId) ? 'app' : 'token',
        clientId: check.clientId,
      };
    }
    case 'none':
      throw new RestFailure('NO_AUTH_FOUND', 'Wrong authorization data');
  }
}

/**
 * The member a REST request acts for. Credentials are valid only on the portal that issued them,
 * and only while the member is active there.
 */
export async function authenticate(ctx: PortalContext, portal: Portal, credentials: RestCredentials): Promise<RestAuth> {
  const identity = await identify(ctx, portal, credentials);
  const user = await findPortalUser(ctx.db, portal.id, identity.memberId);
  if (!user?.active) {
    const code = identity.via === 'webhook' ? 'INVALID_CREDENTIALS' : 'invalid_token';
    throw new RestFailure(code, 'The user of these credentials is not active on this Bitrix24.');
  }
  return { ...identity, user };
}
