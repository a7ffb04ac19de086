import { type Static, Type } from 'typebox';
import { AccountView } from './accounts.ts';

/** Every way in: address and password, webhook, the network's list, QR, single sign-on, a Bitrix24 app. */

export const SignInRequest = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 300 }),
  login: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  otp: Type.Optional(Type.String({ maxLength: 32 })),
});
export type SignInRequest = Static<typeof SignInRequest>;

export const SignInFailureCode = Type.Union([
  Type.Literal('invalid_address'),
  Type.Literal('unknown_address'),
  Type.Literal('unreachable'),
  Type.Literal('invalid_credentials'),
  Type.Literal('otp_required'),
  Type.Literal('invalid_otp'),
  Type.Literal('not_a_member'),
  Type.Literal('too_many_attempts'),
  Type.Literal('already_connected'),
  Type.Literal('server_error'),
  /** A network sign-in whose session ended (expired, or Change user): sign in at the network again. */
  Type.Literal('invalid_session'),
  /** Not an inbound webhook URL as Bitrix24 shows one, or one that would send its code in clear. */
  Type.Literal('invalid_webhook'),
]);
export type SignInFailureCode = Static<typeof SignInFailureCode>;

export const SignInResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), account: AccountView }),
  Type.Object({
    ok: Type.Literal(false),
    error: SignInFailureCode,
    message: Type.String(),
    retryAfter: Type.Optional(Type.Integer()),
  }),
]);
export type SignInResult = Static<typeof SignInResult>;

export const WebhookConnectRequest = Type.Object({
  /** `https://<portal>/rest/<user id>/<code>/`, pasted as Bitrix24 shows it. */
  url: Type.String({ minLength: 1, maxLength: 1000 }),
});
export type WebhookConnectRequest = Static<typeof WebhookConnectRequest>;

/** How every sign-in step fails: a code, words for the user, and when to try again if throttled. */
export const SignInFailure = {
  ok: Type.Literal(false),
  error: SignInFailureCode,
  message: Type.String(),
  retryAfter: Type.Optional(Type.Integer()),
};

/** One Bitrix24 of a network login, marked when this computer has it connected already. */
export const NetworkPortalView = Type.Object({
  title: Type.String(),
  url: Type.String(),
  userName: Type.String(),
  connected: Type.Boolean(),
});
export type NetworkPortalView = Static<typeof NetworkPortalView>;

/**
 * A signed-in network login, held by the core: the UI gets an opaque `flow` handle, never the
 * network session itself.
 */
export const NetworkList = Type.Object({
  ok: Type.Literal(true),
  flow: Type.String(),
  login: Type.String(),
  portals: Type.Array(NetworkPortalView),
});
export type NetworkList = Static<typeof NetworkList>;

export const NetworkSignInRequest = Type.Object({
  networkUrl: Type.String({ minLength: 1, maxLength: 300 }),
  login: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  otp: Type.Optional(Type.String({ maxLength: 32 })),
});
export type NetworkSignInRequest = Static<typeof NetworkSignInRequest>;

export const NetworkSignInResult = Type.Union([NetworkList, Type.Object({ ...SignInFailure })]);
export type NetworkSignInResult = Static<typeof NetworkSignInResult>;

export const FlowRef = Type.Object({ flow: Type.String({ minLength: 1, maxLength: 64 }) });
export type FlowRef = Static<typeof FlowRef>;

export const NetworkOpenRequest = Type.Object({
  flow: Type.String({ minLength: 1, maxLength: 64 }),
  portalUrl: Type.String({ minLength: 1, maxLength: 300 }),
});
export type NetworkOpenRequest = Static<typeof NetworkOpenRequest>;

export const QrStartRequest = Type.Object({
  /** A Bitrix24 address: the approval leads straight into that portal. Without it, the network's list. */
  address: Type.Optional(Type.String({ maxLength: 300 })),
});
export type QrStartRequest = Static<typeof QrStartRequest>;

export const QrStartResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    flow: Type.String(),
    /** The QR code as a PNG data URL; it encodes only the approval URL with an opaque id. */
    qrImage: Type.String(),
    approveUrl: Type.String(),
    /** Epoch ms (core clock) when this code stops working. */
    expiresAt: Type.Integer(),
  }),
  Type.Object({ ...SignInFailure }),
]);
export type QrStartResult = Static<typeof QrStartResult>;

/** The QR flow's state, answered by a long poll (at most ~25 s). */
export const QrWaitResult = Type.Union([
  Type.Object({ status: Type.Literal('pending'), expiresAt: Type.Integer() }),
  Type.Object({ status: Type.Literal('denied') }),
  Type.Object({ status: Type.Literal('expired') }),
  Type.Object({ status: Type.Literal('list'), list: NetworkList }),
  Type.Object({ status: Type.Literal('account'), account: AccountView }),
  Type.Object({ status: Type.Literal('error'), message: Type.String() }),
]);
export type QrWaitResult = Static<typeof QrWaitResult>;

/** Single sign-on in the system browser, the result on a loopback redirect (the core keeps every secret of it). */
export const SsoStartRequest = Type.Object({
  /** A Bitrix24 address, or a work e-mail whose domain the network knows a Bitrix24 by. */
  address: Type.String({ minLength: 1, maxLength: 300 }),
});
export type SsoStartRequest = Static<typeof SsoStartRequest>;

export const SsoFailureCode = Type.Union([
  Type.Literal('invalid_address'),
  Type.Literal('unknown_address'),
  Type.Literal('unreachable'),
  Type.Literal('too_many_attempts'),
  /** No Bitrix24 of the network takes that e-mail's domain, or several do (then the message names them). */
  Type.Literal('no_sso_for_domain'),
  Type.Literal('several_portals'),
  Type.Literal('browser_failed'),
  Type.Literal('sso_not_configured'),
  /** Cancelled or refused at the identity provider. */
  Type.Literal('access_denied'),
  /** Signed in at the identity provider, but no access to this Bitrix24. */
  Type.Literal('not_a_member'),
  Type.Literal('timeout'),
  Type.Literal('cancelled'),
  Type.Literal('server_error'),
  /** A Bitrix24 app's client id or secret that cannot be right, or that the token server refused. */
  Type.Literal('invalid_app'),
]);
export type SsoFailureCode = Static<typeof SsoFailureCode>;

const SsoFailure = {
  error: SsoFailureCode,
  message: Type.String(),
  /** The portal's or the identity provider's own words, when they add to `message`. */
  detail: Type.Optional(Type.String()),
};

export const SsoStartResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    flow: Type.String(),
    /** What the browser signs in to: the portal's title when known, else its address. */
    portal: Type.String(),
    /** Epoch ms (core clock) when the core stops waiting for the browser. */
    expiresAt: Type.Integer(),
  }),
  Type.Object({ ok: Type.Literal(false), ...SsoFailure, retryAfter: Type.Optional(Type.Integer()) }),
]);
export type SsoStartResult = Static<typeof SsoStartResult>;

/** The browser's answer, by long poll (at most ~20 s a call). */
export const SsoWaitResult = Type.Union([
  Type.Object({ status: Type.Literal('pending'), expiresAt: Type.Integer() }),
  Type.Object({ status: Type.Literal('account'), account: AccountView }),
  Type.Object({ status: Type.Literal('failed'), ...SsoFailure }),
]);
export type SsoWaitResult = Static<typeof SsoWaitResult>;

/** Connect with a Bitrix24 app: the app's keys, then its authorization in the system browser. */
export const AppStartRequest = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 300 }),
  clientId: Type.String({ minLength: 1, maxLength: 100 }),
  clientSecret: Type.String({ minLength: 1, maxLength: 200 }),
});
export type AppStartRequest = Static<typeof AppStartRequest>;

/** The handler URL an app must register, for the form to show before anything is sent. */
export const AppHandler = Type.Object({ redirectUri: Type.String() });
export type AppHandler = Static<typeof AppHandler>;

export const SsoReopenResult = Type.Union([
  Type.Object({ ok: Type.Literal(true) }),
  Type.Object({ ok: Type.Literal(false), ...SsoFailure }),
]);
export type SsoReopenResult = Static<typeof SsoReopenResult>;
