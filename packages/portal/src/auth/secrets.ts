import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An unguessable token (256 bits), URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Tokens, codes and webhook secrets are stored as SHA-256 digests: they are high-entropy random
 * values, so a fast hash is enough and a database leak does not leak usable credentials.
 */
export function hashSecret(secret: string): SecretHash {
  return hash('sha256', secret, 'base64url') as SecretHash;
}

/**
 * What `hashSecret` made: a string, but not any string, so that a function taking a hash (a token
 * looked up by it) cannot be given the secret itself. It still goes wherever a string does.
 */
export type SecretHash = string & { readonly __secretHash: unique symbol };

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
