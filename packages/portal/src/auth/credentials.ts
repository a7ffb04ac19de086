import { SignInError } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import type { User } from '../store/schema.ts';
import { claimRecoveryCode, claimTotpStep, findUserByEmail, normalizeLogin } from '../store/users.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';
import { reserveAttempt, tooManyAttemptsText } from './rateLimiter.ts';
import { hashSecret } from './secrets.ts';
import { matchTotp } from './totp.ts';

export interface CredentialInput {
  login: string;
  password: string;
  otp?: string | undefined;
}

export type CredentialResult =
  | { ok: true; user: User }
  | { ok: false; status: 401 | 429; error: SignInError; description: string; retryAfter?: number };

const RECOVERY_CODE = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

function tooMany(retryAfter: number): CredentialResult {
  return {
    ok: false,
    status: 429,
    error: SignInError.tooManyAttempts,
    description: tooManyAttemptsText(retryAfter),
    retryAfter,
  };
}

/**
 * The one check behind every sign-in (desktop, network, web pages): throttled per login and per
 * IP (the attempt is reserved before the password hash runs, so parallel guesses count too), the same answer and a similar time whether or not the login exists, then the second factor
 * when the account has one. A TOTP code or recovery code is accepted once.
 */
export async function checkCredentials(ctx: PortalContext, input: CredentialInput, ip: string): Promise<CredentialResult> {
  const loginKey = normalizeLogin(input.login);
  // Counted as a failure from the start, taken back only once it turns out right.
  const attempt = await reserveAttempt([ctx.loginFailures, loginKey], [ctx.ipFailures, ip]);
  if (!attempt.ok) return tooMany(attempt.retryAfter);
  const refuse = (error: SignInError, description: string): CredentialResult => ({ ok: false, status: 401, error, description });

  const user = await findUserByEmail(ctx.db, loginKey);
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !passwordOk) return refuse(SignInError.invalidCredentials, 'Wrong login or password.');

  if (user.totp_secret) {
    const otp = input.otp?.trim() ?? '';
    if (!otp) {
      // The password was right: asking for the code is not a failure.
      attempt.release();
      return refuse(SignInError.otpRequired, 'Enter the code from your authenticator app.');
    }
    if (!(await acceptSecondFactor(ctx, user, otp))) return refuse(SignInError.invalidOtp, 'The code is wrong or was used already.');
  }
  attempt.release();
  await ctx.loginFailures.reset(loginKey);
  return { ok: true, user };
}

/** A TOTP code or a recovery code, each accepted once (the claim is atomic in the database). */
export async function acceptSecondFactor(ctx: PortalContext, user: User, code: string): Promise<boolean> {
  const otp = code.trim().toLowerCase().replace(/\s+/g, '');
  if (RECOVERY_CODE.test(otp)) return claimRecoveryCode(ctx.db, user.id, hashSecret(otp), ctx.now());
  if (!user.totp_secret) return false;
  const step = matchTotp(user.totp_secret, otp, ctx.now(), user.totp_last_step);
  return step !== null && (await claimTotpStep(ctx.db, user.id, step));
}
