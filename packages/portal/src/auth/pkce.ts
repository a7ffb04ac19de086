import { createHash } from 'node:crypto';
import { safeEqual } from './secrets.ts';

/** RFC 7636 S256: BASE64URL(SHA256(verifier)) must equal the challenge. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function verifyPkce(verifier: string, challenge: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) && safeEqual(pkceChallenge(verifier), challenge);
}

export const PKCE_CHALLENGE_PATTERN = '^[A-Za-z0-9_-]{43}$';
