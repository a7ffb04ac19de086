import { DESKTOP_CLIENT_ID, type SignInFailureCode, type TokenResponse } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { createPkce } from './pkce.ts';
import { PortalUnreachableError, portalRequest } from './portalHttp.ts';

export type SignInOutcome =
  | { ok: true; tokens: TokenResponse; portalTitle: string }
  | { ok: false; error: SignInFailureCode; message: string; retryAfter?: number };

const SERVER_ERRORS: Record<string, SignInFailureCode> = {
  invalid_credentials: 'invalid_credentials',
  otp_required: 'otp_required',
  invalid_otp: 'invalid_otp',
  not_a_member: 'not_a_member',
  too_many_attempts: 'too_many_attempts',
};

/** Maps a failed portal answer to the sign-in page's words. */
export function signInFailure(status: number, body: Record<string, unknown> | null, origin: string): Extract<SignInOutcome, { ok: false }> {
  const code = typeof body?.error === 'string' ? SERVER_ERRORS[body.error] : undefined;
  const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
  if (code) {
    const retryAfter = typeof body?.retry_after === 'number' ? body.retry_after : undefined;
    return { ok: false, error: code, message: description ?? code, ...(retryAfter ? { retryAfter } : {}) };
  }
  if (status === 404 || body === null) return { ok: false, error: 'unknown_address', message: `There is no Bitrix24 at ${origin}.` };
  return { ok: false, error: 'server_error', message: description ?? `The portal answered with an error (${status}).` };
}

/**
 * The first-party password sign-in: credentials for a PKCE-bound code at /oauth/desktop/login,
 * then the code for tokens at /oauth/token/. The password goes to the portal and nowhere else.
 */
export async function passwordSignIn(
  dispatcher: Dispatcher,
  origin: string,
  input: { login: string; password: string; otp?: string | undefined; deviceName: string },
): Promise<SignInOutcome> {
  const pkce = createPkce();
  try {
    const login = await portalRequest(dispatcher, `${origin}/oauth/desktop/login`, {
      json: {
        login: input.login,
        password: input.password,
        ...(input.otp ? { otp: input.otp } : {}),
        client_id: DESKTOP_CLIENT_ID,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        device_name: input.deviceName,
      },
    });
    if (login.status !== 200 || typeof login.body?.code !== 'string') return signInFailure(login.status, login.body, origin);
    return await exchangeCode(
      dispatcher,
      origin,
      login.body.code,
      pkce.verifier,
      typeof login.body.portal_title === 'string' ? login.body.portal_title : origin,
    );
  } catch (error) {
    if (error instanceof PortalUnreachableError) {
      return error.kind === 'unknown_address'
        ? { ok: false, error: 'unknown_address', message: `There is no Bitrix24 at ${origin}.` }
        : { ok: false, error: 'unreachable', message: `${origin} cannot be reached. Check your connection or the address.` };
    }
    throw error;
  }
}

export async function exchangeCode(
  dispatcher: Dispatcher,
  origin: string,
  code: string,
  verifier: string,
  portalTitle: string,
): Promise<SignInOutcome> {
  const token = await portalRequest(dispatcher, `${origin}/oauth/token/`, {
    form: { grant_type: 'authorization_code', client_id: DESKTOP_CLIENT_ID, code, code_verifier: verifier },
  });
  if (token.status !== 200 || typeof token.body?.access_token !== 'string') return signInFailure(token.status, token.body, origin);
  const tokens = token.body as unknown as TokenResponse;
  // The portal names itself where it can; a sign-in that began from a bare address knows no better.
  return { ok: true, tokens, portalTitle: tokens.portal_title ?? portalTitle };
}
