import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import { findPortalById } from '../store/portals.ts';
import type { Executor, Portal } from '../store/schema.ts';
import {
  consumeCode,
  createFamily,
  type FoundToken,
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

/** Scopes a first-party sign-in grants: everything the portal serves to its own users. */
export const FIRST_PARTY_SCOPE = 'user,user_basic,im,task,profile,pull_channel';

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

export type TokenOutcome = { ok: true; tokens: TokenResponse } | OAuthFailure;

const invalidGrant = (description: string): OAuthFailure => ({ ok: false, status: 400, error: 'invalid_grant', description });

/**
 * Where a token response sends its client: the portal's REST (`client_endpoint`) and the token
 * server (`domain`, `server_endpoint`): the portal itself for the desktop, the network (the
 * stand-in for oauth.bitrix.info) for Bitrix24 apps.
 */
export interface TokenEndpoints {
  domain: string;
  serverEndpoint: string;
  clientEndpoint: string;
  /** Bitrix24's app status: `L` for a local app. */
  status: string;
}

/** The desktop's endpoints: everything on the portal's own origin. */
export function portalEndpoints(origin: string): TokenEndpoints {
  return { domain: new URL(origin).host, serverEndpoint: `${origin}/rest/`, clientEndpoint: `${origin}/rest/`, status: 'L' };
}

/** An authorization code for the member, bound to the client's PKCE challenge (none for apps); one use, short-lived. */
export async function issueCode(
  ctx: PortalContext,
  grant: { portalId: number; memberId: number; clientId: string; codeChallenge: string; deviceName: string; ttlMs?: number },
): Promise<{ code: string; expires_in: number }> {
  const code = randomToken();
  const ttlMs = grant.ttlMs ?? ctx.limits.codeTtlMs;
  await insertCode(ctx.db, { ...grant, codeHash: hashSecret(code), expiresAt: ctx.now() + ttlMs });
  return { code, expires_in: Math.floor(ttlMs / 1000) };
}

async function mintPair(
  ctx: PortalContext,
  db: Executor,
  portal: Portal,
  endpoints: TokenEndpoints,
  family: { id: number; member_id: number; scope: string },
): Promise<TokenResponse> {
  const now = ctx.now();
  const access = randomToken();
  const refresh = randomToken();
  const accessExpires = now + ctx.limits.accessTokenTtlMs;
  await insertToken(db, hashSecret(access), family.id, 'access', accessExpires);
  await insertToken(db, hashSecret(refresh), family.id, 'refresh', now + ctx.limits.refreshTokenTtlMs);
  return {
    access_token: access,
    refresh_token: refresh,
    expires: Math.floor(accessExpires / 1000),
    expires_in: Math.floor(ctx.limits.accessTokenTtlMs / 1000),
    domain: endpoints.domain,
    server_endpoint: endpoints.serverEndpoint,
    client_endpoint: endpoints.clientEndpoint,
    member_id: portal.member_id,
    user_id: family.member_id,
    scope: family.scope,
    status: endpoints.status,
    portal_title: portal.title,
  };
}

export interface CodeExchange {
  clientId: string;
  code: string;
  /** The desktop proves its PKCE verifier; an app proves its secret before this runs. */
  codeVerifier?: string;
  /** The portal whose host was asked (desktop), or null on the network's token server (apps). */
  portalId: number | null;
  /** What the sign-in is allowed: the app's scopes, or everything for the desktop. */
  scope: string;
  endpointsOf(portal: Portal): TokenEndpoints;
}

/**
 * A code for tokens, once. Presenting a used code again revokes the sign-in it gave (RFC 6749
 * §4.1.2): whoever holds a copy of the code gets nothing that still works.
 */
export async function exchangeCode(ctx: PortalContext, input: CodeExchange, client: ClientInfo): Promise<TokenOutcome> {
  return ctx.db.transaction().execute(async (trx) => {
    const codeHash = hashSecret(input.code);
    const code = await consumeCode(trx, input.portalId, codeHash, ctx.now());
    if (!code) {
      const replayed = await findReplayedCode(trx, input.portalId, codeHash);
      if (replayed?.family_id != null) {
        await revokeFamily(trx, replayed.family_id, ctx.now());
        return invalidGrant('The authorization code was used already; the sign-in it gave is now revoked.');
      }
      return invalidGrant('The authorization code is unknown, expired or used.');
    }
    if (code.client_id !== input.clientId) return invalidGrant('The authorization code was issued to another client.');
    if (input.codeVerifier !== undefined && !verifyPkce(input.codeVerifier, code.code_challenge)) {
      return invalidGrant('The code verifier does not match the code challenge.');
    }
    const portal = await findPortalById(trx, code.portal_id);
    if (!portal) return invalidGrant('The authorization code is unknown, expired or used.');
    const family = await createFamily(trx, {
      portalId: portal.id,
      memberId: code.member_id,
      clientId: code.client_id,
      deviceName: code.device_name,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, 300),
      scope: input.scope,
      now: ctx.now(),
    });
    await linkCodeToFamily(trx, codeHash, family.id);
    return { ok: true as const, tokens: await mintPair(ctx, trx, portal, input.endpointsOf(portal), family) };
  });
}

export interface RefreshInput {
  clientId: string;
  refreshToken: string;
  /** As for a code: the portal asked, or null on the network's token server. */
  portalId: number | null;
  endpointsOf(portal: Portal): TokenEndpoints;
}

/**
 * Rotates a refresh token. A refresh token works once; presenting a rotated one means it was
 * copied, so the whole family (every device token of that sign-in) is revoked.
 */
export async function refreshTokens(ctx: PortalContext, input: RefreshInput): Promise<TokenOutcome> {
  const now = ctx.now();
  const tokenHash = hashSecret(input.refreshToken);
  return ctx.db.transaction().execute(async (trx) => {
    const token = await findToken(trx, tokenHash);
    if (token?.kind !== 'refresh' || (input.portalId !== null && token.portal_id !== input.portalId)) {
      return invalidGrant('The refresh token is unknown.');
    }
    if (token.revoked_at !== null) return invalidGrant('The refresh token was revoked.');
    if (token.client_id !== input.clientId) return invalidGrant('The refresh token was issued to another client.');
    if (token.expires_at <= now) return invalidGrant('The refresh token has expired.');
    if (token.used_at !== null || !(await markRefreshUsed(trx, tokenHash, now))) {
      await revokeFamily(trx, token.family_id, now);
      return invalidGrant('The refresh token was used already; every token of this sign-in is now revoked.');
    }
    const portal = await findPortalById(trx, token.portal_id);
    if (!portal) return invalidGrant('The refresh token is unknown.');
    await touchFamily(trx, token.family_id, now);
    return {
      ok: true as const,
      tokens: await mintPair(ctx, trx, portal, input.endpointsOf(portal), {
        id: token.family_id,
        member_id: token.member_id,
        scope: token.scope,
      }),
    };
  });
}

/** The desktop's code exchange on a portal's own token endpoint: PKCE-bound, every first-party scope. */
export function desktopCodeExchange(
  portal: Pick<Portal, 'id'>,
  origin: string,
  input: { clientId: string; code: string; codeVerifier: string },
): CodeExchange {
  return { ...input, portalId: portal.id, scope: FIRST_PARTY_SCOPE, endpointsOf: () => portalEndpoints(origin) };
}

/** The desktop's refresh on a portal's own token endpoint. */
export function desktopRefresh(
  portal: Pick<Portal, 'id'>,
  origin: string,
  input: { clientId: string; refreshToken: string },
): RefreshInput {
  return { ...input, portalId: portal.id, endpointsOf: () => portalEndpoints(origin) };
}

/** Revokes the sign-in an access or refresh token belongs to; unknown tokens are ignored (RFC 7009). */
export async function revokeToken(ctx: PortalContext, portal: Portal, token: string): Promise<void> {
  const found = await findToken(ctx.db, hashSecret(token));
  if (found && found.portal_id === portal.id) await revokeFamily(ctx.db, found.family_id, ctx.now());
}

export type AccessCheck =
  | { ok: true; memberId: number; scopes: string[]; familyId: number; clientId: string; expiresAt: number }
  | { ok: false; error: 'expired_token' | 'invalid_token'; description: string };

/**
 * The REST side of a token read by its hash (`hashSecret`; with what else the same read brought,
 * see `findTokenHolder`): valid on its own portal only, until it expires or its family is revoked.
 */
export function checkAccessToken(found: FoundToken | undefined, portal: Pick<Portal, 'id'>, now: number): AccessCheck {
  if (found?.kind !== 'access' || found.portal_id !== portal.id || found.revoked_at !== null) {
    return { ok: false, error: 'invalid_token', description: 'The access token provided is invalid.' };
  }
  if (found.expires_at <= now) return { ok: false, error: 'expired_token', description: 'The access token provided has expired.' };
  return {
    ok: true,
    memberId: found.member_id,
    scopes: found.scope.split(','),
    familyId: found.family_id,
    clientId: found.client_id,
    expiresAt: found.expires_at,
  };
}

/** True for tokens of Bitrix24 apps (OAuth clients registered with `app create`), not the desktop's own. */
export function isAppClient(clientId: string): boolean {
  return clientId !== DESKTOP_CLIENT_ID;
}
