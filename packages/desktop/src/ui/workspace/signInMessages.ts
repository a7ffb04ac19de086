import type { SignInFailureCode, SsoFailureCode } from '@multidesk/protocol/bridge';
import { t } from '../i18n/i18n.ts';

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
      return site === 'network' ? t('signInProblem.invalidNetwork') : t('signInProblem.invalidAddress');
    case 'unknown_address':
      return site === 'network' ? t('signInProblem.unknownNetwork', { address }) : t('signInProblem.unknownAddress', { address });
    case 'unreachable':
      return t('signInProblem.unreachable', { address });
    case 'invalid_credentials':
      return t('signInProblem.invalidCredentials');
    case 'not_a_member':
      return t('signInProblem.notAMember', { login });
    case 'too_many_attempts':
      return t('signInProblem.tooManyAttempts');
    case 'invalid_otp':
      return t('signInProblem.invalidOtp');
    case 'otp_required':
      return t('signInProblem.otpRequired');
    case 'already_connected':
      return core || t('signInProblem.alreadyConnected', { login, address });
    case 'server_error':
      return core || t('signInProblem.serverError');
    case 'invalid_session':
      return t('signInProblem.invalidSession');
    case 'invalid_webhook':
      return core || t('signInProblem.invalidWebhook');
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
  if (seconds < 120) return t('time.seconds', { count: seconds });
  return t('time.secondsAbout', { seconds: t('time.seconds', { count: seconds }), count: Math.round(seconds / 60) });
}
