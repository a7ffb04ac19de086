import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: a fresh verifier per sign-in and its S256 challenge. */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
