import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from './secrets.ts';

/** The key Pull channel ids are signed with, kept in `server_keys` under this name. */
export const PULL_KEY_NAME = 'pull-signature';

export function newPullKey(): string {
  return randomBytes(32).toString('base64url');
}

/** 32 hex characters, the shape of Bitrix24's channel ids. */
export function newChannelId(): string {
  return randomBytes(16).toString('hex');
}

/** Bitrix24 signs channel ids with an HMAC (SHA-1 by default), in hex: `<id>.<signature>`. */
export function signChannel(key: string, id: string): string {
  return `${id}.${channelSignature(key, id)}`;
}

/** The signature alone, as `publicChannels` gives it beside the id. */
export function channelSignature(key: string, id: string): string {
  return createHmac('sha1', key).update(id).digest('hex');
}

/** The id of a signed channel (`<id>.<signature>`), or null when the signature is not ours. */
export function verifySignedChannel(key: string, signed: string): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = signed.slice(0, dot);
  return safeEqual(signChannel(key, id), signed) ? id : null;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Server version 5's connection credentials: an HS256 JWT naming the user and their channels. */
export function signPullJwt(key: string, claims: { iss: string; iat: number; exp: number; sub: string; chan: string }): string {
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

/** The claims of a JWT this server signed, or null (bad signature, malformed, expired). */
export function verifyPullJwt(key: string, token: string, nowSeconds: number): { sub: string; chan: string; exp: number } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) return null;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(expected, signature)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.sub !== 'string' || typeof claims.chan !== 'string' || typeof claims.exp !== 'number') return null;
    if (claims.exp <= nowSeconds) return null;
    return { sub: claims.sub, chan: claims.chan, exp: claims.exp };
  } catch {
    return null;
  }
}
