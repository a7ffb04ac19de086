import {
  DESKTOP_CLIENT_ID,
  type NetworkPortal,
  type QrCreateResponse,
  type QrPollResponse,
  SSO_DISCOVER_PATH,
  type SsoPortal,
} from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { type SignInOutcome, signInFailure } from './passwordSignIn.ts';
import { PortalUnreachableError, portalRequest } from './portalHttp.ts';

export type NetworkLoginOutcome =
  | { ok: true; session: string; expiresIn: number; portals: NetworkPortal[] }
  | Extract<SignInOutcome, { ok: false }>;

function unreachable(error: PortalUnreachableError, origin: string): Extract<SignInOutcome, { ok: false }> {
  return error.kind === 'unknown_address'
    ? { ok: false, error: 'unknown_address', message: `There is no Bitrix24 network at ${origin}.` }
    : { ok: false, error: 'unreachable', message: `${origin} cannot be reached. Check your connection or the address.` };
}

/** Runs a request against a network or portal and maps "no such host" and "down" to sign-in failures. */
async function guarded<T>(origin: string, run: () => Promise<T>): Promise<T | Extract<SignInOutcome, { ok: false }>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PortalUnreachableError) return unreachable(error, origin);
    throw error;
  }
}

/** Login and password at the network: a short-lived network session and the login's Bitrix24s. */
export function networkLogin(
  dispatcher: Dispatcher,
  origin: string,
  input: { login: string; password: string; otp?: string | undefined },
): Promise<NetworkLoginOutcome> {
  return guarded(origin, async () => {
    const answer = await portalRequest(dispatcher, `${origin}/network/login`, {
      json: { login: input.login, password: input.password, ...(input.otp ? { otp: input.otp } : {}) },
    });
    const body = answer.body;
    if (answer.status !== 200 || typeof body?.session !== 'string' || !Array.isArray(body.portals))
      return signInFailure(answer.status, body, origin);
    return { ok: true as const, session: body.session, expiresIn: Number(body.expires_in ?? 0), portals: body.portals as NetworkPortal[] };
  });
}

/** Turns the chosen portal of a network session into an authorization code for our PKCE challenge. */
export function networkAuthorize(
  dispatcher: Dispatcher,
  origin: string,
  input: { session: string; portalUrl: string; codeChallenge: string; deviceName: string },
): Promise<
  | { ok: true; code: string; portalUrl: string }
  | Extract<SignInOutcome, { ok: false }>
  | { ok: false; error: 'invalid_session'; message: string }
> {
  return guarded(origin, async () => {
    const answer = await portalRequest(dispatcher, `${origin}/network/authorize`, {
      json: {
        session: input.session,
        portal_url: input.portalUrl,
        client_id: DESKTOP_CLIENT_ID,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
        device_name: input.deviceName,
      },
    });
    const body = answer.body;
    if (answer.status === 200 && typeof body?.code === 'string' && typeof body.portal_url === 'string') {
      return { ok: true as const, code: body.code, portalUrl: body.portal_url };
    }
    if (body?.error === 'invalid_session') {
      return { ok: false as const, error: 'invalid_session' as const, message: 'The sign-in at the network has expired. Sign in again.' };
    }
    return signInFailure(answer.status, body, origin);
  });
}

/** The Bitrix24s of the network whose single sign-on takes this e-mail's domain. */
export function ssoDiscover(
  dispatcher: Dispatcher,
  origin: string,
  email: string,
): Promise<{ ok: true; portals: SsoPortal[] } | Extract<SignInOutcome, { ok: false }>> {
  return guarded(origin, async () => {
    const answer = await portalRequest(dispatcher, `${origin}${SSO_DISCOVER_PATH}`, { json: { email } });
    if (answer.status === 200 && Array.isArray(answer.body?.portals))
      return { ok: true as const, portals: answer.body.portals as SsoPortal[] };
    return signInFailure(answer.status, answer.body, origin);
  });
}

/** Ends a network session (Change user); failures are ignored: the session expires by itself. */
export async function networkLogout(dispatcher: Dispatcher, origin: string, session: string): Promise<void> {
  try {
    await portalRequest(dispatcher, `${origin}/network/logout`, { json: { session }, signal: AbortSignal.timeout(5_000) });
  } catch {}
}

export function qrCreate(
  dispatcher: Dispatcher,
  origin: string,
  input: { codeChallenge: string; deviceName: string; deviceOs: string; appVersion: string },
): Promise<({ ok: true } & QrCreateResponse) | Extract<SignInOutcome, { ok: false }>> {
  return guarded(origin, async () => {
    const answer = await portalRequest(dispatcher, `${origin}/qr/requests`, {
      json: {
        client_id: DESKTOP_CLIENT_ID,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
        device_name: input.deviceName,
        device_os: input.deviceOs,
        app_version: input.appVersion,
      },
    });
    if (answer.status === 200 && typeof answer.body?.id === 'string')
      return { ok: true as const, ...(answer.body as unknown as QrCreateResponse) };
    return signInFailure(answer.status, answer.body, origin);
  });
}

/** One long poll for the request's outcome; null when the portal answered with an error. */
export async function qrPoll(
  dispatcher: Dispatcher,
  origin: string,
  input: { id: string; pollToken: string; waitSeconds: number; signal: AbortSignal },
): Promise<QrPollResponse | { status: 'error'; message: string }> {
  try {
    const answer = await portalRequest(dispatcher, `${origin}/qr/requests/poll`, {
      json: { id: input.id, poll_token: input.pollToken, wait: input.waitSeconds },
      signal: AbortSignal.any([input.signal, AbortSignal.timeout((input.waitSeconds + 10) * 1000)]),
    });
    if (answer.status === 200 && typeof answer.body?.status === 'string') return answer.body as unknown as QrPollResponse;
    return { status: 'error', message: String(answer.body?.error_description ?? answer.body?.error ?? `HTTP ${answer.status}`) };
  } catch (error) {
    if (error instanceof PortalUnreachableError) return { status: 'error', message: `${origin} cannot be reached.` };
    throw error;
  }
}
