import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app expects) through
 * otplib. Secrets are stored as they always were: 20 random bytes in Base32, so users enrolled
 * before keep their authenticator.
 */
const STEP_SECONDS = 30;

export function generateTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / STEP_SECONDS);
}

export function totpCode(secretBase32: string, nowMs: number): string {
  return generateSync({ secret: secretBase32, epoch: Math.floor(nowMs / 1000) });
}

/**
 * Checks a code against the current step and one step either side (clock drift). Returns the
 * matched step so the caller can refuse it (and every earlier step) next time: a code works once.
 */
export function matchTotp(secretBase32: string, code: string, nowMs: number, lastUsedStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const result = verifySync({
    secret: secretBase32,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: STEP_SECONDS,
    ...(lastUsedStep === null ? {} : { afterTimeStep: lastUsedStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

export function otpauthUri(secretBase32: string, account: string, issuer = 'Multidesk'): string {
  return generateURI({ issuer, label: account, secret: secretBase32 });
}
