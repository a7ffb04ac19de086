import type { SignInFailureCode, SsoFailureCode } from '@multidesk/protocol/bridge';

export interface SignInProblem {
  code: SignInFailureCode | SsoFailureCode | 'missing_address' | 'missing_login' | 'missing_password' | 'missing_code' | 'missing_choice';
  text: string;
  /** The core's own words, when they add to `text`. */
  detail?: string;
}

interface Context {
  address: string;
  login: string;
  /** What the core said. */
  message: string;
  /** What `address` names: a Bitrix24 (the default) or the network that lists a login's Bitrix24s. */
  site?: 'portal' | 'network';
}

/**
 * What the user reads for each failure of `signIn`: specific, and saying what to do.
 * The core's message wins where our words could only be vaguer than its own.
 */
export function signInProblem(code: SignInFailureCode, ctx: Context): SignInProblem {
  const core = ctx.message.trim();
  const text = ourWords(code, ctx, core);
  const detail = core !== '' && core !== code && !sameWords(core, text) && adds(code) ? core : undefined;
  return detail ? { code, text, detail } : { code, text };
}

function ourWords(code: SignInFailureCode, { address, login, site }: Context, core: string): string {
  switch (code) {
    case 'invalid_address':
      return site === 'network' ? 'Enter the network address, like localhost:8024' : 'Enter an address like acme.bitrix24.com';
    case 'unknown_address':
      return site === 'network' ? `There is no Bitrix24 network at ${address}` : `There is no Bitrix24 at ${address}`;
    case 'unreachable':
      return `${address} cannot be reached. Check your connection or the address.`;
    case 'invalid_credentials':
      return 'Wrong login or password.';
    case 'not_a_member':
      return `${login} is not a member of this Bitrix24.`;
    case 'too_many_attempts':
      return 'Too many attempts.';
    case 'invalid_otp':
      return 'The code is wrong or was used already.';
    case 'otp_required':
      return 'Enter the code from your authenticator app.';
    case 'already_connected':
      return core || `${login} at ${address} is already connected.`;
    case 'server_error':
      return core || 'The Bitrix24 server could not sign you in. Try again in a minute.';
    case 'invalid_session':
      return 'The sign-in at the network has expired. Sign in again.';
    case 'invalid_webhook':
      return core || 'This is not a Bitrix24 webhook URL.';
  }
}

/** Codes whose core message may name the specific cause (a DNS or TLS failure, a server status). */
function adds(code: SignInFailureCode): boolean {
  return code === 'unknown_address' || code === 'unreachable';
}

function sameWords(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/https?:\/\//g, '')
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}

/** "1 second", "45 seconds", "900 seconds (about 15 minutes)". */
export function secondsText(seconds: number): string {
  if (seconds === 1) return '1 second';
  if (seconds < 120) return `${seconds} seconds`;
  return `${seconds} seconds (about ${Math.round(seconds / 60)} minutes)`;
}
