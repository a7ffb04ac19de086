import { type Static, Type } from 'typebox';

/** Every error the portal returns, on every route: never a stack trace. */
export const ErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
  retry_after: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** Errors of the sign-in endpoints (wire contract). */
export const SignInError = {
  invalidCredentials: 'invalid_credentials',
  otpRequired: 'otp_required',
  invalidOtp: 'invalid_otp',
  notAMember: 'not_a_member',
  tooManyAttempts: 'too_many_attempts',
  invalidRequest: 'invalid_request',
  invalidSession: 'invalid_session',
} as const;
export type SignInError = (typeof SignInError)[keyof typeof SignInError];

/** Bitrix24 REST error codes and the HTTP status each is answered with. */
export const RestError = {
  NO_AUTH_FOUND: 401,
  expired_token: 401,
  invalid_token: 401,
  /** An unknown or revoked inbound webhook. */
  INVALID_CREDENTIALS: 401,
  insufficient_scope: 403,
  ACCESS_DENIED: 403,
  /** pull.config.get with an app's OAuth token, pull.application.* without one. */
  WRONG_AUTH_TYPE: 403,
  ERROR_METHOD_NOT_FOUND: 404,
  INVALID_REQUEST: 400,
  INVALID_ARG_VALUE: 400,
  ERROR_ARGUMENT: 400,
  ERROR_BATCH_LENGTH_EXCEEDED: 400,
  ERROR_BATCH_METHOD_NOT_ALLOWED: 400,
  /** im.*: no DIALOG_ID, an empty message, one over the length limit, a bad MESSAGE_ID. */
  DIALOG_ID_EMPTY: 400,
  MESSAGE_EMPTY: 400,
  MESSAGE_TOO_LONG: 400,
  MESSAGE_ID_ERROR: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUERY_LIMIT_EXCEEDED: 503,
  /** The portal's database or Redis is away for a moment (a restart): try again after Retry-After. */
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;
export type RestErrorCode = keyof typeof RestError;
