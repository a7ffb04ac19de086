import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DESKTOP_CLIENT_ID,
  QR_POLL_MAX_WAIT_SECONDS,
  QR_TTL_SECONDS,
  QrCreateRequest,
  QrCreateResponse,
  QrError,
  QrPollRequest,
  QrPollResponse,
  SignInError,
} from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startNetworkSession } from '../auth/networkSession.ts';
import { issueCode } from '../auth/oauthTokens.ts';
import { reserveAttempt } from '../auth/rateLimiter.ts';
import { hashSecret, randomToken, safeEqual } from '../auth/secrets.ts';
import { sitePortalId } from '../auth/webSession.ts';
import { findMemberById } from '../store/members.ts';
import { deleteQrRequestsExpiredBefore, findQrRequest, insertQrRequest, redeemQrRequest } from '../store/qrRequests.ts';
import type { QrRequest } from '../store/schema.ts';
import { findUserById } from '../store/users.ts';
import type { PortalContext } from './context.ts';
import { errorResponses, sendError, tooManyAttempts } from './errors.ts';
import { qrApprovalRoutes } from './pages/qrApproval.ts';
import { pageDefaults } from './webPages.ts';

const DEFAULT_WAIT_SECONDS = 20;

/** Expired requests are kept a day (the approval page can still say "expired"), then deleted. */
const KEEP_EXPIRED_MS = 24 * 60 * 60_000;

/** Another poll may collect an approval this long after it was given, should the first one be lost. */
const redeemWindowMs = (ctx: PortalContext) => ctx.limits.codeTtlMs;

/**
 * QR-code sign-in. The desktop creates a request and long-polls for its outcome with a secret of
 * its own; the QR holds only the request's id, inside the approval page's address, where a signed-in
 * browser or phone approves or denies it (pages/qrApproval.ts). On the network host an approval
 * becomes a network session and the user's portals; on a portal host, an authorization code.
 */
export default async function qrRoutes(app: FastifyInstance): Promise<void> {
  // Routes with schemas get typed requests from them: no casts on request data.
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    '/qr/requests',
    { schema: { body: QrCreateRequest, response: { 200: QrCreateResponse, ...errorResponses } } },
    async (request, reply) => {
      const body = request.body;
      if (body.client_id !== DESKTOP_CLIENT_ID) return sendError(reply, 400, 'invalid_client', `Unknown client "${body.client_id}".`);
      const created = await reserveAttempt([app.ctx.qrCreations, request.ip]);
      if (!created.ok) {
        const wait = created.retryAfter;
        return sendError(reply, 429, SignInError.tooManyAttempts, `Too many QR codes. Try again in ${wait} seconds.`, wait);
      }

      const now = app.ctx.now();
      await deleteQrRequestsExpiredBefore(app.ctx.db, now - KEEP_EXPIRED_MS);
      const id = randomToken(16);
      const pollToken = randomToken(32);
      await insertQrRequest(app.ctx.db, {
        id,
        poll_token_hash: hashSecret(pollToken),
        portal_id: sitePortalId(request.site),
        client_id: body.client_id,
        code_challenge: body.code_challenge,
        device_name: body.device_name,
        device_os: body.device_os,
        app_version: body.app_version,
        ip: request.ip,
        created_at: now,
        expires_at: now + QR_TTL_SECONDS * 1000,
      });
      reply.header('cache-control', 'no-store');
      return reply.send({ id, poll_token: pollToken, approve_url: `${request.origin}/qr/${id}`, expires_in: QR_TTL_SECONDS });
    },
  );

  typed.post(
    '/qr/requests/poll',
    { schema: { body: QrPollRequest, response: { 200: QrPollResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      // Unknown id and wrong poll token answer alike, and both count against the IP: guessing is throttled.
      const attempt = await reserveAttempt([app.ctx.ipFailures, request.ip]);
      if (!attempt.ok) return tooManyAttempts(reply, attempt.retryAfter);
      const body = request.body;
      let row = await findQrRequest(app.ctx.db, body.id, sitePortalId(request.site));
      if (!row || !safeEqual(row.poll_token_hash, hashSecret(body.poll_token)))
        return sendError(reply, 404, QrError.unknownRequest, 'There is no such QR request; create a new one.');
      attempt.release();
      const waitMs = Math.min(body.wait ?? DEFAULT_WAIT_SECONDS, QR_POLL_MAX_WAIT_SECONDS) * 1000;
      if (isUndecided(row, app.ctx.now()) && waitMs > 0) {
        const waited = await waitForDecision(app.ctx, row, waitMs, reply);
        // The client went away: nothing to send, and an approval is not spent on a closed connection.
        if (waited === 'gone') {
          reply.hijack();
          reply.raw.destroy();
          return reply;
        }
        row = waited;
      }
      const answer = await outcome(request, row);
      if (answer === 'redeemed')
        return sendError(reply, 410, QrError.alreadyRedeemed, 'This approval was collected already; create a new QR code.');
      return reply.send(answer);
    },
  );

  // Shutting down: waiting polls answer "pending" now (the desktop polls again) instead of holding up the close.
  app.addHook('preClose', async () => {
    app.ctx.qrWaiters.notifyAll();
  });

  // The approval pages: an encapsulated scope with the pages' headers and error pages.
  await app.register(async (pages) => {
    pageDefaults(pages);
    qrApprovalRoutes(pages);
  });
}

function isUndecided(row: QrRequest, now: number): boolean {
  return row.status === 'pending' && row.expires_at > now;
}

/**
 * Waits until the request is decided, expires, or `ms` pass; a closed client connection ends the
 * wait at once and frees its waiter. The waiter is registered before the request is read again,
 * so a decision made in between wakes it.
 */
async function waitForDecision(ctx: PortalContext, row: QrRequest, ms: number, reply: FastifyReply): Promise<QrRequest | 'gone'> {
  const stop = new AbortController();
  let gone = false;
  const onClose = () => {
    gone = true;
    stop.abort();
  };
  reply.raw.once('close', onClose);
  try {
    const woken = ctx.qrWaiters.wait(row.id, Math.min(ms, row.expires_at - ctx.now()), stop.signal);
    const fresh = await findQrRequest(ctx.db, row.id, row.portal_id);
    if (fresh && isUndecided(fresh, ctx.now())) await woken;
  } finally {
    stop.abort();
    reply.raw.off('close', onClose);
  }
  if (gone || reply.raw.destroyed) return 'gone';
  return (await findQrRequest(ctx.db, row.id, row.portal_id)) ?? row;
}

/** What a poll answers for the request as it stands; collects an approval, once. */
async function outcome(request: FastifyRequest, row: QrRequest): Promise<QrPollResponse | 'redeemed'> {
  const ctx = request.server.ctx;
  const now = ctx.now();
  if (row.status === 'denied') return { status: 'denied' };
  if (row.status === 'pending') {
    return row.expires_at > now ? { status: 'pending', expires_in: Math.ceil((row.expires_at - now) / 1000) } : { status: 'expired' };
  }
  if (row.redeemed_at !== null) return 'redeemed';
  if (now - (row.decided_at ?? 0) >= redeemWindowMs(ctx)) return { status: 'expired' };
  if (!(await redeemQrRequest(ctx.db, row.id, now))) return 'redeemed';

  if (row.portal_id === null) {
    const user = row.approver_user_id === null ? undefined : await findUserById(ctx.db, row.approver_user_id);
    if (!user) return { status: 'denied' };
    return { status: 'approved', ...(await startNetworkSession(request, user)) };
  }
  // Membership is checked again: one deactivated since approving gets no code.
  const site = request.site.kind === 'portal' ? request.site.portal : null;
  const member = row.approver_member_id === null ? undefined : await findMemberById(ctx.db, row.portal_id, row.approver_member_id);
  if (!site || !member?.active) return { status: 'denied' };
  const { code, expires_in } = await issueCode(ctx, {
    portalId: row.portal_id,
    memberId: member.id,
    clientId: row.client_id,
    codeChallenge: row.code_challenge,
    deviceName: row.device_name,
  });
  return { status: 'approved', code, expires_in, portal_title: site.title };
}
