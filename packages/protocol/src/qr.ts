import { type Static, Type } from 'typebox';
import { NetworkPortal } from './oauth.ts';

/**
 * QR-code sign-in (wire contract). The desktop creates a request with its PKCE challenge and gets
 * an opaque id (the only thing in the QR, inside `approve_url`) and a poll token it never shows.
 * A signed-in browser or phone opens `approve_url` and approves or denies; the desktop learns the
 * outcome by long-polling with the poll token, and only it can redeem the approval, once.
 * Served by the network host (the result is a network session and the user's portals) and by every
 * portal host (the result is an authorization code for that portal).
 */
export const QR_TTL_SECONDS = 60;
export const QR_POLL_MAX_WAIT_SECONDS = 25;

/** POST {site}/qr/requests */
export const QrCreateRequest = Type.Object({
  client_id: Type.String({ minLength: 1, maxLength: 100 }),
  code_challenge: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  code_challenge_method: Type.Literal('S256'),
  device_name: Type.String({ minLength: 1, maxLength: 200 }),
  device_os: Type.String({ minLength: 1, maxLength: 100 }),
  app_version: Type.String({ minLength: 1, maxLength: 50 }),
});
export type QrCreateRequest = Static<typeof QrCreateRequest>;

export const QrCreateResponse = Type.Object({
  id: Type.String(),
  poll_token: Type.String(),
  approve_url: Type.String(),
  expires_in: Type.Integer(),
});
export type QrCreateResponse = Static<typeof QrCreateResponse>;

/** POST {site}/qr/requests/poll: waits up to `wait` seconds for a decision. */
export const QrPollRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  poll_token: Type.String({ minLength: 1, maxLength: 200 }),
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: QR_POLL_MAX_WAIT_SECONDS })),
});
export type QrPollRequest = Static<typeof QrPollRequest>;

export const QrPollResponse = Type.Union([
  Type.Object({ status: Type.Literal('pending'), expires_in: Type.Integer() }),
  Type.Object({ status: Type.Literal('denied') }),
  Type.Object({ status: Type.Literal('expired') }),
  /** Approved on the network: a network session and the approver's portals, as /network/login. */
  Type.Object({
    status: Type.Literal('approved'),
    session: Type.String(),
    expires_in: Type.Integer(),
    portals: Type.Array(NetworkPortal),
    login: Type.Optional(Type.String()),
  }),
  /** Approved on a portal: an authorization code for that portal, bound to the request's PKCE challenge. */
  Type.Object({
    status: Type.Literal('approved'),
    code: Type.String(),
    expires_in: Type.Integer(),
    portal_title: Type.String(),
  }),
]);
export type QrPollResponse = Static<typeof QrPollResponse>;

/**
 * Errors: 400 invalid_request (bad body), 404 unknown_request (no such id, or the poll token does
 * not match: the same answer for both), 410 already_redeemed (an approval is redeemed once),
 * 429 too_many_attempts with retry_after (creating requests, per IP; polling, from an IP that
 * got too many unknown_request answers).
 */
export const QrError = {
  unknownRequest: 'unknown_request',
  alreadyRedeemed: 'already_redeemed',
} as const;

/** POST {network}/network/logout: ends one network session (Change user). */
export const NetworkLogoutRequest = Type.Object({ session: Type.String({ minLength: 1, maxLength: 200 }) });
export type NetworkLogoutRequest = Static<typeof NetworkLogoutRequest>;
