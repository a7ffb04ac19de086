import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SignInError } from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { checkCredentials } from '../../auth/credentials.ts';
import { MAX_PASSWORD_LENGTH } from '../../auth/password.ts';
import {
  checkSecondFactor,
  cookieName,
  cookieOptions,
  currentWebSession,
  endWebSession,
  isRecentlyAuthenticated,
  sitePortalId,
  startWebSession,
} from '../../auth/webSession.ts';
import { findMembership } from '../../store/members.ts';
import type { User } from '../../store/schema.ts';
import { findSsoSettings } from '../../store/sso.ts';
import { findUserByEmail, findUserById } from '../../store/users.ts';
import { APP_AUTHORIZE_PATH } from '../appOAuth.ts';
import { FormField, QueryValue } from '../requestSchemas.ts';
import { continueTo, forbiddenPage, isSameOriginPost, readForm, safeNext, seeOther, sendPage } from './forms.ts';
import { alertBox, escapeHtml, hiddenField, noticeBox } from './layout.ts';
import type { PendingSignInStore } from './pendingSignIns.ts';
import { ssoButton } from './ssoPages.ts';

const PENDING_COOKIE = 'md_login';

/** `next`: where to go after signing in (`safeNext` keeps it on this site). */
const LoginQuery = Type.Object({ next: Type.Optional(QueryValue) });
const LoginForm = Type.Object({ next: FormField, login: FormField, password: FormField });
const CodeForm = Type.Object({ code: FormField });

/** What the sign-in pages call this site: the portal's title, or the network. */
export function siteTitle(request: FastifyRequest): string {
  return request.site.kind === 'portal' ? request.site.portal.title : 'Multidesk network';
}

function errorAttrs(error: string | undefined): string {
  return error ? ' aria-invalid="true" aria-describedby="form-error"' : '';
}

function formError(error: string | undefined): string {
  return alertBox(error, 'form-error');
}

export function loginPage(
  request: FastifyRequest,
  options: { next: string; login?: string; error?: string; notice?: string; sso?: boolean },
): string {
  const { next, login = '', error, notice } = options;
  const focusPassword = login !== '' && (error !== undefined || notice !== undefined);
  return `<h1>Log in to ${escapeHtml(siteTitle(request))}</h1>
${formError(error)}${noticeBox(notice)}
<form method="post" action="/login">
${hiddenField('next', next)}
<label for="login">Login</label>
<input id="login" name="login" type="text" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="254" value="${escapeHtml(login)}"${focusPassword ? '' : ' autofocus'}${errorAttrs(error)}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${MAX_PASSWORD_LENGTH}"${focusPassword ? ' autofocus' : ''}${errorAttrs(error)}>
<button type="submit">Log in</button>
</form>${options.sso ? ssoButton(next) : ''}`;
}

function codePage(error?: string): string {
  return `<h1>Two-step verification</h1>
<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
${formError(error)}
<form method="post" action="/login/code">
<label for="code">Code</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="32" autofocus${errorAttrs(error)}>
<button type="submit">Verify</button>
</form>
<p class="muted"><a href="/login">Start over</a></p>`;
}

/** The sign-in page; on a portal with single sign-on it offers that too. */
async function showLogin(request: FastifyRequest, reply: FastifyReply, status: number, options: Parameters<typeof loginPage>[1]) {
  const sso = request.site.kind === 'portal' && (await findSsoSettings(request.server.ctx.db, request.site.portal.id)) !== undefined;
  return sendPage(reply, status, `Log in to ${siteTitle(request)}`, loginPage(request, { ...options, sso }));
}

/** The user may enter this site: on a portal, only an active member; the network admits every account. */
async function mayEnter(request: FastifyRequest, user: User): Promise<boolean> {
  if (request.site.kind === 'network') return true;
  const member = await findMembership(request.server.ctx.db, request.site.portal.id, user.id);
  return Boolean(member?.active);
}

/** Replaces whatever session this browser had with a new one (a fresh id: no session fixation). */
async function finishSignIn(request: FastifyRequest, reply: FastifyReply, user: User, next: string) {
  if (!(await mayEnter(request, user))) {
    return showLogin(request, reply, 403, { next, login: user.email, error: 'You are not a member of this Bitrix24.' });
  }
  const previous = await currentWebSession(request);
  if (previous) await endWebSession(request, reply, previous);
  await startWebSession(request, reply, user);
  // An app's authorization ends on the app's own site: see continueTo.
  return next.startsWith(APP_AUTHORIZE_PATH) ? continueTo(reply, next) : seeOther(reply, next);
}

function tooMany(reply: FastifyReply, retryAfter: number | undefined, page: () => string) {
  reply.header('retry-after', String(retryAfter ?? 60));
  return sendPage(reply, 429, 'Too many attempts', page());
}

export function signInRoutes(app: FastifyInstance, pending: PendingSignInStore): void {
  const pendingCookie = (request: FastifyRequest) => cookieName(request, PENDING_COOKIE);
  const dropPending = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[pendingCookie(request)];
    if (token === undefined) return;
    await pending.delete(token);
    reply.clearCookie(pendingCookie(request), { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
  };

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get('/login', { schema: { querystring: LoginQuery } }, async (request, reply) => {
    const next = safeNext(request.query.next);
    const current = await currentWebSession(request);
    if (!current) return showLogin(request, reply, 200, { next });
    if (isRecentlyAuthenticated(current.session, app.ctx.now())) return seeOther(reply, next);
    // Signed in, but not recently: sensitive pages (approving a QR code) send the user here to
    // enter the password again; signing in replaces the session with a freshly authenticated one.
    return showLogin(request, reply, 200, { next, login: current.user.email, notice: 'Enter your password again to continue.' });
  });

  typed.post('/login', { schema: { body: LoginForm } }, async (request, reply) => {
    if (!isSameOriginPost(request)) return forbiddenPage(reply);
    const next = safeNext(request.body.next);
    const form = readForm(request.body, { login: { label: 'login', max: 254 }, password: { label: 'password', max: MAX_PASSWORD_LENGTH } });
    if (!form.ok) return showLogin(request, reply, 400, { next, login: form.values.login ?? '', error: form.message });
    const { login, password } = form.values;
    const check = await checkCredentials(app.ctx, { login, password }, request.ip);
    if (check.ok) {
      await dropPending(request, reply);
      return finishSignIn(request, reply, check.user, next);
    }
    if (check.status === 429) return tooMany(reply, check.retryAfter, () => loginPage(request, { next, login, error: check.description }));
    if (check.error === SignInError.otpRequired) {
      const user = await findUserByEmail(app.ctx.db, login);
      if (user) {
        await dropPending(request, reply);
        const token = await pending.create({ userId: user.id, portalId: sitePortalId(request.site), next });
        reply.setCookie(pendingCookie(request), token, cookieOptions(request, Math.floor(pending.ttlMs / 1000)));
        return seeOther(reply, '/login/code');
      }
    }
    return showLogin(request, reply, 401, { next, login, error: check.description });
  });

  app.get('/login/code', async (request, reply) => {
    if (!(await pending.get(request.cookies[pendingCookie(request)], sitePortalId(request.site)))) return seeOther(reply, '/login');
    return sendPage(reply, 200, 'Two-step verification', codePage());
  });

  typed.post('/login/code', { schema: { body: CodeForm } }, async (request, reply) => {
    if (!isSameOriginPost(request)) return forbiddenPage(reply);
    const token = request.cookies[pendingCookie(request)] ?? '';
    const step = await pending.get(token, sitePortalId(request.site));
    const user = step ? await findUserById(app.ctx.db, step.userId) : undefined;
    if (!step || !user) {
      await dropPending(request, reply);
      return showLogin(request, reply, 400, { next: '/', error: 'Your sign-in has expired. Log in again.' });
    }
    const form = readForm(request.body, { code: { label: 'code', max: 32 } });
    if (!form.ok) return sendPage(reply, 400, 'Two-step verification', codePage(form.message));
    const check = await checkSecondFactor(app.ctx, user, form.values.code, request.ip);
    if (!check.ok && check.status === 429) return tooMany(reply, check.retryAfter, () => codePage(check.description));
    if (!check.ok) {
      if (await pending.fail(token)) return sendPage(reply, 401, 'Two-step verification', codePage(check.description));
      await dropPending(request, reply);
      return showLogin(request, reply, 401, { next: step.next, login: user.email, error: 'Too many wrong codes. Log in again.' });
    }
    await dropPending(request, reply);
    return finishSignIn(request, reply, user, step.next);
  });
}
