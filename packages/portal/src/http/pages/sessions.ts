import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type CurrentWebSession, clearSessionCookie, sessionRowId, sitePortalId } from '../../auth/webSession.ts';
import type { TokenFamily, WebSession } from '../../store/schema.ts';
import { listActiveFamiliesOfUser, revokeFamily } from '../../store/tokens.ts';
import { listLiveWebSessions, revokeWebSession } from '../../store/webSessions.ts';
import { FormField, QueryValue } from '../requestSchemas.ts';
import { readForm, seeOther, sendPage } from './forms.ts';
import { checkCsrf, displayName, requireSignedIn } from './home.ts';
import { escapeHtml, hiddenField, noticeBox, postForm, timeAgo } from './layout.ts';
import { siteTitle } from './signIn.ts';
import { describeUserAgent } from './userAgent.ts';

const TITLE = "Where you're signed in";

const NOTICES: Record<string, string> = {
  web: 'That browser is signed out.',
  device: 'That desktop app is signed out; its tokens no longer work.',
};

/** `revoked`: what the last revocation ended (`web` or `device`), for the notice; others are ignored. */
const SessionsQuery = Type.Object({ revoked: Type.Optional(QueryValue) });
const RevokeForm = Type.Object({ csrf: FormField, kind: FormField, id: FormField });

function revokeButton(csrf: string, kind: 'web' | 'device', id: string, itemId: string): string {
  return postForm(
    '/sessions/revoke',
    csrf,
    `${hiddenField('kind', kind)}${hiddenField('id', id)}<button type="submit" class="danger" aria-describedby="${itemId}">Revoke</button>`,
  );
}

function browserItem(session: WebSession, current: CurrentWebSession, now: number): string {
  const rowId = sessionRowId(session.id_hash);
  const itemId = `web-${rowId}`;
  const mine = session.id_hash === current.session.id_hash;
  return `<li><div><strong id="${itemId}">${escapeHtml(describeUserAgent(session.user_agent))}</strong>${mine ? '<span class="badge">This browser</span>' : ''}
<div class="muted">IP ${escapeHtml(session.ip)} · last active ${timeAgo(session.last_seen_at, now)} · signed in ${timeAgo(session.authenticated_at, now)}</div>
${session.user_agent ? `<div class="muted">${escapeHtml(session.user_agent.slice(0, 160))}</div>` : ''}</div>
${revokeButton(current.session.csrf_token, 'web', rowId, itemId)}</li>`;
}

function deviceItem(family: TokenFamily, current: CurrentWebSession, now: number): string {
  const itemId = `device-${family.id}`;
  return `<li><div><strong id="${itemId}">${escapeHtml(family.device_name)}</strong>
<div class="muted">IP ${escapeHtml(family.ip)} · last used ${timeAgo(family.last_used_at, now)} · signed in ${timeAgo(family.created_at, now)}</div></div>
${revokeButton(current.session.csrf_token, 'device', String(family.id), itemId)}</li>`;
}

function sessionsPage(
  request: FastifyRequest,
  current: CurrentWebSession,
  browsers: WebSession[],
  devices: TokenFamily[] | null,
  now: number,
  notice?: string,
): string {
  const deviceSection =
    devices === null
      ? ''
      : `<h2>Desktop apps</h2>${
          devices.length === 0
            ? '<p class="muted">No desktop app is signed in.</p>'
            : `<ul class="items">${devices.map((d) => deviceItem(d, current, now)).join('')}</ul>`
        }`;
  return `<h1>${TITLE}</h1>
<p class="muted">${escapeHtml(displayName(current.user))} · ${escapeHtml(siteTitle(request))}</p>
${noticeBox(notice)}
<h2>Browsers</h2>
<ul class="items">${browsers.map((s) => browserItem(s, current, now)).join('')}</ul>
${deviceSection}
<p><a href="/">Back</a></p>`;
}

export function sessionRoutes(app: FastifyInstance): void {
  const notFound = (reply: Parameters<typeof sendPage>[0]) =>
    sendPage(
      reply,
      404,
      TITLE,
      `<h1>${TITLE}</h1><p class="error" role="alert">That sign-in was not found; it may have ended already.</p><p><a href="/sessions">Back</a></p>`,
    );

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get('/sessions', { schema: { querystring: SessionsQuery } }, async (request, reply) => {
    const current = await requireSignedIn(request, reply);
    if (!current) return reply;
    const now = app.ctx.now();
    const portalId = sitePortalId(request.site);
    const browsers = await listLiveWebSessions(app.ctx.db, current.user.id, portalId, now);
    const devices = portalId === null ? null : await listActiveFamiliesOfUser(app.ctx.db, current.user.id, portalId);
    const { revoked } = request.query;
    // Own keys only: `?revoked=constructor` names no notice, not Object's constructor.
    const notice = typeof revoked === 'string' && Object.hasOwn(NOTICES, revoked) ? NOTICES[revoked] : undefined;
    return sendPage(reply, 200, TITLE, sessionsPage(request, current, browsers, devices, now, notice), true);
  });

  typed.post('/sessions/revoke', { schema: { body: RevokeForm } }, async (request, reply) => {
    const current = await requireSignedIn(request, reply);
    if (!current) return reply;
    if (!checkCsrf(request, reply, current, request.body.csrf)) return reply;
    const form = readForm(request.body, { kind: { label: 'kind', max: 10 }, id: { label: 'id', max: 64 } });
    if (!form.ok) return sendPage(reply, 400, TITLE, `<h1>${TITLE}</h1><p class="error" role="alert">${escapeHtml(form.message)}</p>`);
    const { kind, id } = form.values;
    const now = app.ctx.now();
    const portalId = sitePortalId(request.site);

    if (kind === 'web') {
      // Only the user's own sessions on this site are candidates: another user's id matches nothing.
      const sessions = await listLiveWebSessions(app.ctx.db, current.user.id, portalId, now);
      const target = sessions.find((s) => sessionRowId(s.id_hash) === id);
      if (!target) return notFound(reply);
      await revokeWebSession(app.ctx.db, target.id_hash, current.user.id, now);
      if (target.id_hash !== current.session.id_hash) return seeOther(reply, '/sessions?revoked=web');
      clearSessionCookie(request, reply);
      return seeOther(reply, '/login');
    }
    if (kind === 'device' && portalId !== null && /^\d{1,12}$/.test(id)) {
      const families = await listActiveFamiliesOfUser(app.ctx.db, current.user.id, portalId);
      const target = families.find((f) => f.id === Number(id));
      if (!target) return notFound(reply);
      await revokeFamily(app.ctx.db, target.id, now);
      return seeOther(reply, '/sessions?revoked=device');
    }
    return notFound(reply);
  });
}
