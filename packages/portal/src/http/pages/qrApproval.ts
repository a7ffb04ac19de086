import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type CurrentWebSession, currentWebSession, isRecentlyAuthenticated, sitePortalId } from '../../auth/webSession.ts';
import { decideQrRequest, findQrRequest } from '../../store/qrRequests.ts';
import type { QrRequest } from '../../store/schema.ts';
import { seeOther, sendPage } from './forms.ts';
import { CsrfForm, checkCsrf, displayName } from './home.ts';
import { escapeHtml, hiddenField, noticeBox } from './layout.ts';
import { siteTitle } from './signIn.ts';

const TITLE = 'Sign in to Multidesk?';

/** The ids the server hands out are 22 base64url characters; anything else is no request of ours. */
const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** Any id: one that is not ours gets the page saying so (ID_PATTERN), not a 400. */
const QrParams = Type.Object({ id: Type.String() });

/** `14:03:07 UTC` in a `<time>` with the exact instant. */
function clock(at: number): string {
  const iso = new Date(at).toISOString();
  return `<time datetime="${iso}">${iso.slice(11, 19)} UTC</time>`;
}

function approvalPage(request: FastifyRequest, current: CurrentWebSession, row: QrRequest): string {
  const fact = (label: string, value: string) => `<dt>${label}</dt><dd>${value}</dd>`;
  return `<h1>${TITLE}</h1>
<p>A Multidesk app asks to sign in to <strong>${escapeHtml(siteTitle(request))}</strong> as <strong>${escapeHtml(displayName(current.user))}</strong>.</p>
<dl class="facts">
${fact('Device', escapeHtml(row.device_name))}
${fact('System', escapeHtml(row.device_os))}
${fact('App version', escapeHtml(row.app_version))}
${fact('IP address', escapeHtml(row.ip))}
${fact('Requested at', clock(row.created_at))}
${fact('Expires at', clock(row.expires_at))}
</dl>
<p class="warning">Only approve if you are signing in to Multidesk on that device right now.</p>
<form method="post" action="/qr/${row.id}/approve">${hiddenField('csrf', current.session.csrf_token)}
<div class="actions choice"><button type="submit">Approve</button><button type="submit" class="secondary" formaction="/qr/${row.id}/deny">Deny</button></div>
</form>`;
}

function resultPage(reply: FastifyReply, status: number, heading: string, message: string, isError = true): FastifyReply {
  const box = isError ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : noticeBox(message);
  return sendPage(reply, status, heading, `<h1>${escapeHtml(heading)}</h1>${box}<p><a href="/">Back</a></p>`);
}

const unknownPage = (reply: FastifyReply) =>
  resultPage(reply, 404, 'QR code not found', 'This sign-in request does not exist here. Scan the QR code in Multidesk again.');

/** Why a request can no longer be decided: unknown, decided already, or expired. */
function closedPage(reply: FastifyReply, row: QrRequest | undefined): FastifyReply {
  if (!row) return unknownPage(reply);
  if (row.status !== 'pending') {
    return resultPage(reply, 409, `Already ${row.status}`, `This request was already ${row.status}. Nothing was changed.`);
  }
  return resultPage(reply, 410, 'QR code expired', 'This QR code has expired. Show a new one in Multidesk and scan it again.');
}

/**
 * The browser's user, signed in to this site within the last 30 minutes; otherwise a redirect to
 * the sign-in page, which asks for the password again and comes back here. A form post must also
 * come from this page (same origin and the session's CSRF token, `csrf`), or it gets a 403 page.
 */
async function freshSession(request: FastifyRequest, reply: FastifyReply, id: string, csrf?: unknown): Promise<CurrentWebSession | null> {
  const current = await currentWebSession(request);
  const signIn = `/login?next=/qr/${id}`;
  if (!current) {
    seeOther(reply, signIn);
    return null;
  }
  if (request.method === 'POST' && !checkCsrf(request, reply, current, csrf)) return null;
  if (!isRecentlyAuthenticated(current.session, request.server.ctx.now())) {
    seeOther(reply, signIn);
    return null;
  }
  return current;
}

/**
 * The page a QR code opens: what asks to sign in (device, system, app version, IP, time) and
 * Approve / Deny. Only a request made on this very site is found here; on a portal only an active
 * member has a session at all.
 */
export function qrApprovalRoutes(app: FastifyInstance): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get('/qr/:id', { schema: { params: QrParams } }, async (request, reply) => {
    const { id } = request.params;
    if (!ID_PATTERN.test(id)) return unknownPage(reply);
    const current = await freshSession(request, reply, id);
    if (!current) return reply;
    const row = await findQrRequest(app.ctx.db, id, sitePortalId(request.site));
    if (row?.status !== 'pending' || row.expires_at <= app.ctx.now()) return closedPage(reply, row);
    return sendPage(reply, 200, TITLE, approvalPage(request, current, row));
  });

  for (const decision of ['approve', 'deny'] as const) {
    typed.post(`/qr/:id/${decision}`, { schema: { params: QrParams, body: CsrfForm } }, async (request, reply) => {
      const { id } = request.params;
      if (!ID_PATTERN.test(id)) return unknownPage(reply);
      const current = await freshSession(request, reply, id, request.body.csrf);
      if (!current) return reply;
      const portalId = sitePortalId(request.site);
      const row = await findQrRequest(app.ctx.db, id, portalId);
      const status = decision === 'approve' ? 'approved' : 'denied';
      const decided =
        row !== undefined &&
        (await decideQrRequest(app.ctx.db, row.id, {
          status,
          userId: current.user.id,
          memberId: current.member?.id ?? null,
          now: app.ctx.now(),
        }));
      if (!decided) return closedPage(reply, await findQrRequest(app.ctx.db, id, portalId));
      app.ctx.qrWaiters.notify(id);
      app.ctx.shared.publishQrDecided(id);
      return status === 'approved'
        ? resultPage(reply, 200, 'Approved', 'Approved. You can return to Multidesk.', false)
        : resultPage(reply, 200, 'Denied', 'Denied. Multidesk on that device was not signed in.', false);
    });
  }
}
