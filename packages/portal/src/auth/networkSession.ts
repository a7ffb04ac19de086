import type { NetworkLoginResponse } from '@multidesk/protocol';
import type { FastifyRequest } from 'fastify';
import { portalUrl } from '../http/tenancy.ts';
import { listPortalsOfUser } from '../store/members.ts';
import type { User } from '../store/schema.ts';
import { findLiveWebSession, insertWebSession, revokeWebSession } from '../store/webSessions.ts';
import { hashSecret, randomToken } from './secrets.ts';

/**
 * A short-lived network session for the user and the list of their Bitrix24s: what a network
 * sign-in answers, by password (/network/login) or by an approved QR code.
 */
export async function startNetworkSession(request: FastifyRequest, user: User): Promise<NetworkLoginResponse> {
  const ctx = request.server.ctx;
  const now = ctx.now();
  const session = randomToken();
  await insertWebSession(ctx.db, {
    id_hash: hashSecret(session),
    kind: 'network',
    user_id: user.id,
    portal_id: null,
    csrf_token: randomToken(16),
    ip: request.ip,
    user_agent: (request.headers['user-agent'] ?? '').slice(0, 300),
    created_at: now,
    authenticated_at: now,
    last_seen_at: now,
    expires_at: now + ctx.limits.networkSessionTtlMs,
  });
  const userName = `${user.name} ${user.last_name}`.trim();
  const portals = (await listPortalsOfUser(ctx.db, user.id)).map((p) => ({
    id: p.id,
    title: p.title,
    url: portalUrl(request, p, ctx.baseDomain),
    user_name: userName,
  }));
  return { session, expires_in: Math.floor(ctx.limits.networkSessionTtlMs / 1000), portals, login: user.email };
}

/** Ends a network session (Change user). Unknown, expired or already ended sessions are ignored. */
export async function endNetworkSession(request: FastifyRequest, session: string): Promise<void> {
  const ctx = request.server.ctx;
  const now = ctx.now();
  const found = await findLiveWebSession(ctx.db, hashSecret(session), 'network', null, now);
  if (found) await revokeWebSession(ctx.db, found.id_hash, found.user_id, now);
}
