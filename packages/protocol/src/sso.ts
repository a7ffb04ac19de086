import { type Static, Type } from 'typebox';

/**
 * Desktop sign-in through the portal's single sign-on (RFC 8252, loopback redirect):
 *
 *   GET {portal}/sso/desktop/start?client_id=multidesk-desktop&redirect_uri=http://127.0.0.1:PORT/callback
 *       &state=S&code_challenge=C&code_challenge_method=S256[&device_name=N]
 *
 * opens in the system browser, which signs in at the identity provider and comes back to
 *
 *   http://127.0.0.1:PORT/callback?code=CODE&state=S             exchange at /oauth/token/ as usual
 *   http://127.0.0.1:PORT/callback?error=E&error_description=D&state=S
 *
 * redirect_uri: `http://127.0.0.1:<port>/callback` or `http://[::1]:<port>/callback`, exactly. A bad
 * redirect_uri or client_id gets a page in the browser, never a redirect.
 */
export const SSO_DESKTOP_START_PATH = '/sso/desktop/start';
export const SSO_LOOPBACK_CALLBACK_PATH = '/callback';

/** `error` values on the loopback redirect. */
export const SsoDesktopError = {
  /** A parameter is missing or malformed (the state, the challenge, its method). */
  invalidRequest: 'invalid_request',
  /** The user cancelled, or the identity provider refused the sign-in. */
  accessDenied: 'access_denied',
  /** Signed in at the identity provider, but no member of this portal (and none may be created). */
  notAMember: 'not_a_member',
  /** This portal has no single sign-on. */
  ssoNotConfigured: 'sso_not_configured',
  /** The identity provider's answer could not be verified. */
  serverError: 'server_error',
  /** The identity provider could not be reached. */
  temporarilyUnavailable: 'temporarily_unavailable',
} as const;
export type SsoDesktopError = (typeof SsoDesktopError)[keyof typeof SsoDesktopError];

/**
 * POST {network}/network/sso/discover  JSON {email}
 *   200 {portals: [{title, url}]}   the Bitrix24s whose single sign-on accepts that e-mail's domain
 *                                   (`sso set --domain`); empty when none does
 *   400 {error: "invalid_request"}  429 {error: "too_many_attempts", retry_after}
 * Only portals with single sign-on for exactly that domain are named; nothing about members.
 */
export const SSO_DISCOVER_PATH = '/network/sso/discover';

export const SsoDiscoverRequest = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });
export type SsoDiscoverRequest = Static<typeof SsoDiscoverRequest>;

export const SsoPortal = Type.Object({ title: Type.String(), url: Type.String() });
export type SsoPortal = Static<typeof SsoPortal>;

export const SsoDiscoverResponse = Type.Object({ portals: Type.Array(SsoPortal) });
export type SsoDiscoverResponse = Static<typeof SsoDiscoverResponse>;
