import { type Static, Type } from 'typebox';
import { SignInFailure } from './signIn.ts';

/** The user's choices that are not accounts. */

export const Settings = Type.Object({
  /** The network server that lists a login's Bitrix24s; remembered across restarts. */
  networkUrl: Type.String(),
  /**
   * The loopback port of Bitrix24 apps' handler URL (`http://127.0.0.1:<port>/callback`): fixed per
   * profile, since an app registers one URL. Chosen on first use unless `--oauth-redirect-port` names it.
   */
  appRedirectPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export type Settings = Static<typeof Settings>;

export const SetNetworkUrlRequest = Type.Object({ networkUrl: Type.String({ minLength: 1, maxLength: 300 }) });

export const SettingsResult = Type.Union([Type.Object({ ok: Type.Literal(true), settings: Settings }), Type.Object({ ...SignInFailure })]);
