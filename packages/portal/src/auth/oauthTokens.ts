import type { TokenResponse } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import type { Executor, Portal } from '../store/schema.ts';
import {
  consumeCode,
  createFamily,
  findReplayedCode,
  findToken,
  insertCode,
  insertToken,
  linkCodeToFamily,
  markRefreshUsed,
  revokeFamily,
  touchFamily,
} from '../store/tokens.ts';
import { verifyPkce } from './pkce.ts';
import { hashSecret, randomToken } from './secrets.ts';

/** Scopes a first-party sign-in grants: everything the portal serves. */
export const FIRST_PARTY_SCOPE = 'user,user_basic,im,task,profile';

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export type OAuthFailure = {
  ok: false;
  status: 400 | 401;
  error: 'invalid_grant' | 'invalid_client' | 'invalid_request';
  description: string;
};

const invalidGrant = (description: string): OAuthFailure => ({ ok: false, status: 400, error: 'invalid_grant', description });

/** An authorization code for the member, bound to the client's PKCE challenge; one use, short-lived. */
export async function issueCode(
  ctx: PortalContext,
  grant: { portalId: number; memberId: number; clientId: string; codeChallenge: string; deviceName: string },
): Promise<{ code: string; expires_in: number }> {
  const code = randomToken();
  await insertCode(ctx.db, { ...grant, codeHash: hashSecret(code), expiresAt: ctx.now() + ctx.limits.codeTtlMs });
  return { code, expires_in: Math.floor(ctx.limits.codeTtlMs / 1000) };
}

async function mintPair(
  ctx: PortalContext,
  db: Executor,
  portal: Portal,
  origin: string,
  family: { id: number; member_id: number; scope: string },
): Promise<TokenResponse> {
  const now = ctx.now();
  const access = randomToken();
  const refresh = randomToken();
  const accessExpires = now + ctx.limits.accessTokenTtlMs;
  await insertToken(db, hashSecret(access), family.id, 'access', accessExpires);
  await insertToken(db, hashSecret(refresh), family.id, 'refresh', now + ctx.limits.refreshTokenTtlMs);
  const host = new URL(origin).host;
  return {
    access_token: access,
    refresh_token: refresh,
    expires: Math.floor(accessExpires / 1000),
    expires_in: Math.floor(ctx.limits.accessTokenTtlMs / 1000),
    domain: host,
    server_endpoint: `${origin}/rest/`,
    client_endpoint: `${origin}/rest/`,
    member_id: portal.member_id,
    user_id: family.member_id,
    scope: family.scope,
    status: 'L',
    portal_title: portal.title,
  };
}

export async function exchangeCode(
  ctx: PortalContext,
  portal: Portal,
  origin: string,
  input: { clientId: string; code: string; codeVerifier: string },
  client: ClientInfo,
): Promise<{ ok: true; tokens: TokenResponse } | OAuthFailure> {
  return ctx.db.transaction().execute(async (trx) => {
    const codeHash = hashSecret(input.code);
    const code = await consumeCode(trx, portal.id, codeHash, ctx.now());
    if (!code) {
      // A used code presented again was intercepted or copied: what it issued must not stay valid.
      const replayed = await findReplayedCode(trx, portal.id, codeHash);
      if (replayed?.family_id != null) {
        await revokeFamily(trx, replayed.family_id, ctx.now());
        return invalidGrant('The authorization code was used already; the sign-in it gave is now revoked.');
      }
      return invalidGrant('The authorization code is unknown, expired or used.');
    }
    if (code.client_id !== input.clientId) return invalidGrant('The authorization code was issued to another client.');
    if (!verifyPkce(input.codeVerifier, code.code_challenge)) return invalidGrant('The code verifier does not match the code challenge.');
    const family = await createFamily(trx, {
      portalId: portal.id,
      memberId: code.member_id,
      clientId: code.client_id,
      deviceName: code.device_name,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, 300),
      scope: FIRST_PARTY_SCOPE,
      now: ctx.now(),
    });
    await linkCodeToFamily(trx, codeHash, family.id);
    return { ok: true as const, tokens: await mintPair(ctx, trx, portal, origin, family) };
  });
}

/**
 * Rotates a refresh token. A refresh token works once; presenting a rotated one means it was
 * copied, so the whole family (every device token of that sign-in) is revoked.
 */
export async function refreshTokens(
  ctx: PortalContext,
  portal: Portal,
  origin: string,
  input: { clientId: string; refreshToken: string },
): Promise<{ ok: true; tokens: TokenResponse } | OAuthFailure> {
  const now = ctx.now();
  const tokenHash = hashSecret(input.refreshToken);
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const token = await findToken(trx, tokenHash);
    if (token?.kind !== 'refresh' || token.portal_id !== portal.id) return invalidGrant('The refresh token is unknown.');
    if (token.revoked_at !== null) return invalidGrant('The refresh token was revoked.');
    if (token.client_id !== input.clientId) return invalidGrant('The refresh token was issued to another client.');
    if (token.expires_at <= now) return invalidGrant('The refresh token has expired.');
    if (token.used_at !== null || !(await markRefreshUsed(trx, tokenHash, now))) {
      await revokeFamily(trx, token.family_id, now);
      return invalidGrant('The refresh token was used already; every token of this sign-in is now revoked.');
    }
    await touchFamily(trx, token.family_id, now);
    return {
      ok: true as const,
      tokens: await mintPair(ctx, trx, portal, origin, { id: token.family_id, member_id: token.member_id, scope: token.scope }),
    };
  });
  return outcome;
}

/** Revokes the sign-in an access or refresh token belongs to; unknown tokens are ignored (RFC 7009). */
export async function revokeToken(ctx: PortalContext, portal: Portal, token: string): Promise<void> {
  const found = await findToken(ctx.db, hashSecret(token));
  if (found && found.portal_id === portal.id) await revokeFamily(ctx.db, found.family_id, ctx.now());
}

export type AccessCheck =
  | { ok: true; memberId: number; scopes: string[]; familyId: number }
  | { ok: false; error: 'expired_token' | 'invalid_token'; description: string };

/** The REST side of a token: valid on its own portal only, until it expires or its family is revoked. */
export async function authenticateAccessToken(ctx: PortalContext, portal: Portal, token: string): Promise<AccessCheck> {
  const found = await findToken(ctx.db, hashSecret(token));
  if (found?.kind !== 'access' || found.portal_id !== portal.id || found.revoked_at !== null) {
    return { ok: false, error: 'invalid_token', description: 'The access token provided is invalid.' };
  }
  if (found.expires_at <= ctx.now()) return { ok: false, error: 'expired_token', description: 'The access token provided has expired.' };
  return { ok: true, memberId: found.member_id, scopes: found.scope.split(','), familyId: found.family_id };
}
