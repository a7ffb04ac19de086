import { type Static, Type } from 'typebox';

export const DESKTOP_CLIENT_ID = 'multidesk-desktop';

const Pkce = {
  code_challenge: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  code_challenge_method: Type.Literal('S256'),
};

const Credentials = {
  login: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  otp: Type.Optional(Type.String({ maxLength: 32 })),
};

/** POST {portal}/oauth/desktop/login */
export const DesktopLoginRequest = Type.Object({
  ...Credentials,
  client_id: Type.String({ minLength: 1, maxLength: 100 }),
  ...Pkce,
  device_name: Type.String({ minLength: 1, maxLength: 200 }),
});
export type DesktopLoginRequest = Static<typeof DesktopLoginRequest>;

export const AuthorizationCodeResponse = Type.Object({
  code: Type.String(),
  expires_in: Type.Integer(),
  /** Extension: the portal's title, so a client that only knows an address can name its tab. */
  portal_title: Type.Optional(Type.String()),
});
export type AuthorizationCodeResponse = Static<typeof AuthorizationCodeResponse>;

/** POST {portal}/oauth/token/: both grants, form, JSON or query. */
export const TokenRequest = Type.Object({
  grant_type: Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token')]),
  client_id: Type.String({ minLength: 1, maxLength: 100 }),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
  code: Type.Optional(Type.String({ maxLength: 200 })),
  code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 200 })),
});
export type TokenRequest = Static<typeof TokenRequest>;

/** Bitrix24's token response, field for field. */
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  expires: Type.Integer(),
  expires_in: Type.Integer(),
  domain: Type.String(),
  server_endpoint: Type.String(),
  client_endpoint: Type.String(),
  member_id: Type.String(),
  user_id: Type.Integer(),
  scope: Type.String(),
  status: Type.String(),
  /** Extension: the portal's title, for a client that only knows an address (single sign-on by address). */
  portal_title: Type.Optional(Type.String()),
});
export type TokenResponse = Static<typeof TokenResponse>;

export const RevokeRequest = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

/** POST {network}/network/login */
export const NetworkLoginRequest = Type.Object({ ...Credentials });
export type NetworkLoginRequest = Static<typeof NetworkLoginRequest>;

export const NetworkPortal = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  user_name: Type.String(),
});
export type NetworkPortal = Static<typeof NetworkPortal>;

export const NetworkLoginResponse = Type.Object({
  session: Type.String(),
  expires_in: Type.Integer(),
  portals: Type.Array(NetworkPortal),
  /** Extension: the login the session belongs to (a QR approval does not tell the desktop otherwise). */
  login: Type.Optional(Type.String()),
});
export type NetworkLoginResponse = Static<typeof NetworkLoginResponse>;

/** POST {network}/network/authorize */
export const NetworkAuthorizeRequest = Type.Object({
  session: Type.String({ minLength: 1, maxLength: 200 }),
  portal_url: Type.String({ minLength: 1, maxLength: 300 }),
  client_id: Type.String({ minLength: 1, maxLength: 100 }),
  ...Pkce,
  device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type NetworkAuthorizeRequest = Static<typeof NetworkAuthorizeRequest>;

export const NetworkAuthorizeResponse = Type.Object({ portal_url: Type.String(), code: Type.String() });
export type NetworkAuthorizeResponse = Static<typeof NetworkAuthorizeResponse>;
