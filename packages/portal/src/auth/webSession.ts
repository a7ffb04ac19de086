import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalContext, Site } from '../http/context.ts';
import { findMembership } from '../store/members.ts';
import type { Member, User, WebSession } from '../store/schema.ts';
import { findUserById } from '../store/users.ts';
import { findLiveWebSession, insertWebSession, revokeWebSession, touchWebSession } from '../store/webSessions.ts';
import { acceptSecondFactor } from './credentials.ts';
import { reserveAttempt, tooManyAttemptsText } from './rateLimiter.ts';
import { hashSecret, randomToken } from './secrets.ts';

/** How long a sign-in counts as fresh for sensitive actions (approving a QR login, revoking). */
export const RECENT_AUTH_MS = 30 * 60_000;

/** `last_seen_at` is written at most this often, not on every page view. */
const TOUCH_INTERVAL_MS = 60_000;

export interface CurrentWebSession {
  user: User;
  session: WebSession;
  /** The membership on this portal; null on the network host. */
  member: Member | null;
}

/** The portal a site's web sessions belong to, or null for the network. */
export function sitePortalId(site: Site): number | null {
  return site.kind === 'portal' ? site.portal.id : null;
}

/** Over https the `__Host-` prefix makes browsers refuse the cookie unless it is Secure, Path=/ and host-only. */
export function cookieName(request: FastifyRequest, base: string): string {
  return request.protocol === 'https' ? `__Host-${base}` : base;
}

export function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https', maxAge: maxAgeSeconds };
}

const SESSION_COOKIE = 'md_web';

/**
 * Starts a browser session for the user on the site the request addressed: a random id in an
 * HttpOnly cookie, only its hash in the database.
 */
export async function startWebSession(request: FastifyRequest, reply: FastifyReply, user: User): Promise<void> {
  const ctx = request.server.ctx;
  const now = ctx.now();
  const id = randomToken();
  await insertWebSession(ctx.db, {
    id_hash: hashSecret(id),
    kind: 'web',
    user_id: user.id,
    portal_id: sitePortalId(request.site),
    csrf_token: randomToken(24),
    ip: request.ip,
    user_agent: (request.headers['user-agent'] ?? '').slice(0, 300),
    created_at: now,
    authenticated_at: now,
    last_seen_at: now,
    expires_at: now + ctx.limits.webSessionTtlMs,
  });
  reply.setCookie(cookieName(request, SESSION_COOKIE), id, cookieOptions(request, Math.floor(ctx.limits.webSessionTtlMs / 1000)));
}

/**
 * The signed-in user of this browser on this site, or null: the cookie must name a live web
 * session (not revoked, not expired) of this very site, and on a portal the user must still be an
 * active member.
 */
export async function currentWebSession(request: FastifyRequest): Promise<CurrentWebSession | null> {
  const id = request.cookies[cookieName(request, SESSION_COOKIE)];
  if (!id || id.length > 100) return null;
  const ctx = request.server.ctx;
  const now = ctx.now();
  const portalId = sitePortalId(request.site);
  const session = await findLiveWebSession(ctx.db, hashSecret(id), 'web', portalId, now);
  if (!session) return null;
  const user = await findUserById(ctx.db, session.user_id);
  if (!user) return null;
  let member: Member | null = null;
  if (portalId !== null) {
    member = (await findMembership(ctx.db, portalId, user.id)) ?? null;
    if (!member?.active) return null;
  }
  if (now - session.last_seen_at >= TOUCH_INTERVAL_MS) await touchWebSession(ctx.db, session.id_hash, now);
  return { user, session, member };
}

/** True when the user entered their credentials within `maxAgeMs` (default 30 minutes). */
export function isRecentlyAuthenticated(session: Pick<WebSession, 'authenticated_at'>, now: number, maxAgeMs = RECENT_AUTH_MS): boolean {
  return now - session.authenticated_at <= maxAgeMs;
}

/** Revokes this browser's session and removes its cookie. */
export async function endWebSession(request: FastifyRequest, reply: FastifyReply, current: CurrentWebSession): Promise<void> {
  await revokeWebSession(request.server.ctx.db, current.session.id_hash, current.user.id, request.server.ctx.now());
  clearSessionCookie(request, reply);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName(request, SESSION_COOKIE), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
  });
}

/**
 * How a page refers to a web session: derived from the stored hash, so neither the cookie nor the
 * database key ever appears in HTML.
 */
export function sessionRowId(idHash: string): string {
  return hashSecret(`row:${idHash}`).slice(0, 22);
}

export type SecondFactorResult = { ok: true } | { ok: false; status: 401 | 429; description: string; retryAfter?: number };

/**
 * The second step of a web sign-in whose password was already accepted: a TOTP code or a recovery
 * code, each accepted once, throttled with the same counters as `checkCredentials`.
 */
export async function checkSecondFactor(ctx: PortalContext, user: User, code: string, ip: string): Promise<SecondFactorResult> {
  const attempt = await reserveAttempt([ctx.loginFailures, user.email], [ctx.ipFailures, ip]);
  if (!attempt.ok) return { ok: false, status: 429, description: tooManyAttemptsText(attempt.retryAfter), retryAfter: attempt.retryAfter };
  if (!(await acceptSecondFactor(ctx, user, code)))
    return { ok: false, status: 401, description: 'The code is wrong or was used already.' };
  attempt.release();
  await ctx.loginFailures.reset(user.email);
  return { ok: true };
}
