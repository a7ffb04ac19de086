import { DESKTOP_CLIENT_ID, SSO_LOOPBACK_CALLBACK_PATH, SsoDesktopError } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import type { Member, SsoState } from '../store/schema.ts';
import { issueCode } from './oauthTokens.ts';

/** What the desktop asked for when it sent the browser to /sso/desktop/start. */
export interface DesktopSsoRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  deviceName: string;
}

export type DesktopStartCheck =
  | { ok: true; request: DesktopSsoRequest }
  /** `redirect` set: tell the desktop through its loopback; null: only a page can say it. */
  | { ok: false; redirect: string | null; description: string };

const DEFAULT_DEVICE_NAME = 'Multidesk desktop';

/**
 * The desktop's loopback redirect URI (RFC 8252 §7.3), or null: `http`, the IP literal 127.0.0.1 or
 * [::1] (not `localhost`, which a hosts file may point elsewhere), any port, the path `/callback`,
 * nothing else. It must already be in canonical form: `127.1` or `0x7f.0.0.1`, which URL parsers
 * rewrite to 127.0.0.1, are refused rather than rewritten.
 */
export function loopbackRedirectUri(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 100) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  const bare = url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  if (url.protocol !== 'http:' || !loopback || !bare || url.pathname !== SSO_LOOPBACK_CALLBACK_PATH) return null;
  return url.href === value ? url.href : null;
}

/** The loopback redirect with its parameters: `code` and `state`, or `error`, `error_description` and `state`. */
export function loopbackRedirect(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(key, value);
  return url.href;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/** RFC 6749's VSCHAR: printable ASCII. */
const STATE = /^[\x20-\x7e]{1,500}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks a desktop's start request. The redirect URI and the client are checked first and never
 * answered through the redirect (that would make the portal an open redirector); every later
 * problem goes back to the desktop's loopback with `error=invalid_request`.
 */
export function checkDesktopStart(query: Record<string, unknown>): DesktopStartCheck {
  const redirectUri = loopbackRedirectUri(single(query, 'redirect_uri'));
  if (!redirectUri) {
    return {
      ok: false,
      redirect: null,
      description: 'The application asked to return to an address that is not its own loopback address.',
    };
  }
  const clientId = single(query, 'client_id');
  if (clientId !== DESKTOP_CLIENT_ID)
    return { ok: false, redirect: null, description: 'The application that started this sign-in is unknown.' };
  const state = single(query, 'state');
  const invalid = (description: string): DesktopStartCheck => ({
    ok: false,
    redirect: loopbackRedirect(redirectUri, {
      error: SsoDesktopError.invalidRequest,
      error_description: description,
      state: state !== undefined && STATE.test(state) ? state : undefined,
    }),
    description,
  });
  if (state === undefined || !STATE.test(state)) return invalid('state is required: 1 to 500 printable ASCII characters.');
  const codeChallenge = single(query, 'code_challenge');
  if (codeChallenge === undefined || !CHALLENGE.test(codeChallenge)) return invalid('code_challenge must be 43 base64url characters.');
  if (single(query, 'code_challenge_method') !== 'S256') return invalid('code_challenge_method must be S256.');
  const deviceName = single(query, 'device_name')?.trim() ?? DEFAULT_DEVICE_NAME;
  if (deviceName.length === 0 || deviceName.length > 200) return invalid('device_name must be 1 to 200 characters.');
  return { ok: true, request: { clientId, redirectUri, state, codeChallenge, deviceName } };
}

/** Where the desktop of a flow waits: from its start request, or from the stored flow. */
export function desktopTarget(from: DesktopSsoRequest | SsoState): { redirectUri: string; state: string | null } {
  if ('redirectUri' in from) return { redirectUri: from.redirectUri, state: from.state };
  return { redirectUri: from.desktop_redirect_uri as string, state: from.desktop_state };
}

/** The loopback address a failed desktop flow reports to, with the desktop's own state. */
export function desktopFailure(target: { redirectUri: string; state: string | null }, error: SsoDesktopError, description: string): string {
  return loopbackRedirect(target.redirectUri, { error, error_description: description, state: target.state });
}

/**
 * The end of a desktop SSO sign-in: an authorization code for the member, bound to the desktop's
 * PKCE challenge (one use, short-lived, exchanged at /oauth/token/ like every other sign-in), and
 * the loopback address that hands it over with the desktop's state.
 */
export async function finishDesktopSso(ctx: PortalContext, flow: SsoState, member: Member): Promise<string> {
  if (flow.purpose !== 'desktop' || !flow.desktop_redirect_uri || !flow.desktop_code_challenge || !flow.desktop_client_id) {
    throw new Error('not a desktop sign-in');
  }
  const { code } = await issueCode(ctx, {
    portalId: flow.portal_id,
    memberId: member.id,
    clientId: flow.desktop_client_id,
    codeChallenge: flow.desktop_code_challenge,
    deviceName: flow.desktop_device_name ?? DEFAULT_DEVICE_NAME,
  });
  return loopbackRedirect(flow.desktop_redirect_uri, { code, state: flow.desktop_state });
}
