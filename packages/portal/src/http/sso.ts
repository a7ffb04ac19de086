import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SsoDesktopError } from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { reserveAttempt } from '../auth/rateLimiter.ts';
import { hashSecret, randomToken, safeEqual } from '../auth/secrets.ts';
import { authorizationUrl, classifyProviderError, RelyingParties, redeemCallback, type SsoProviderError } from '../auth/ssoClient.ts';
import { checkDesktopStart, type DesktopSsoRequest, desktopFailure, desktopTarget, finishDesktopSso } from '../auth/ssoDesktop.ts';
import { resolveSsoMember } from '../auth/ssoMembers.ts';
import { cookieName, cookieOptions, currentWebSession, endWebSession, startWebSession } from '../auth/webSession.ts';
import type { Portal, SsoSettings } from '../store/schema.ts';
import { consumeSsoState, deleteSsoStatesExpiredBefore, findSsoSettings, insertSsoState } from '../store/sso.ts';
import { safeNext, seeOther } from './pages/forms.ts';
import { ssoProblemPage } from './pages/ssoPages.ts';
import { AnyQuery, QueryValue } from './requestSchemas.ts';
import { pageDefaults } from './webPages.ts';

/** How long a browser may take at the identity provider (sign-in, maybe a second factor). */
export const SSO_STATE_TTL_MS = 10 * 60_000;

/** Sign-ins one IP may start per minute: each one is a stored flow, and a request to the provider. */
const STARTS_PER_IP_PER_MINUTE = 30;

/** Binds a flow to the browser that started it: a callback in another browser is refused (login CSRF). */
const STATE_COOKIE = 'md_sso';

const LOG_IN_AGAIN = { href: '/login', text: 'Back to the sign-in page' };

type Failure = { status: number; title: string; message: string; desktopError: SsoDesktopError };

const failures = {
  notConfigured: (portal: Portal): Failure => ({
    status: 404,
    title: 'Single sign-on is not available',
    message: `Single sign-on is not set up for ${portal.title}. Log in with your login and password.`,
    desktopError: SsoDesktopError.ssoNotConfigured,
  }),
  provider: (err: SsoProviderError): Failure => ({
    status: 502,
    title: 'Single sign-on failed',
    message: err.message,
    desktopError: err.kind === 'unreachable' ? SsoDesktopError.temporarilyUnavailable : SsoDesktopError.serverError,
  }),
  settingsChanged: (): Failure => ({
    status: 400,
    title: 'Single sign-on failed',
    message: 'The single sign-on settings of this Bitrix24 changed during your sign-in. Start again.',
    desktopError: SsoDesktopError.serverError,
  }),
  refused: (error: string, description: string | undefined): Failure => ({
    status: 403,
    title: 'Single sign-on failed',
    message: `The identity provider did not sign you in (${error}${description ? `: ${description}` : ''}).`,
    desktopError: SsoDesktopError.accessDenied,
  }),
  noAccess: (message: string): Failure => ({ status: 403, title: 'No access', message, desktopError: SsoDesktopError.notAMember }),
};

/*
 * The queries of the single sign-on addresses. Bad values get a page (or, for the desktop, a
 * redirect with an OAuth error), so the schemas only say what the query parser produces.
 */
const StartQuery = Type.Object({ next: Type.Optional(QueryValue) });
/** The desktop's authorization request: `checkDesktopStart` reads and checks its parameters. */
const DesktopStartQuery = AnyQuery;
/** The identity provider's answer; openid-client reads the whole address (`callbackUrl`). */
const CallbackQuery = Type.Object({
  state: Type.Optional(QueryValue),
  error: Type.Optional(QueryValue),
  error_description: Type.Optional(QueryValue),
});

/** The URL the identity provider sent the browser back to, as openid-client wants it. */
function callbackUrl(request: FastifyRequest): URL {
  const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  return new URL(`/sso/callback${search}`, request.origin);
}

/**
 * Single sign-on on a portal host: the portal as an OpenID Connect relying party (code flow with
 * PKCE, state and nonce). A web flow ends in a browser session, exactly as the password sign-in
 * does; a desktop flow ends in an authorization code handed to the desktop's loopback redirect.
 */
export default async function ssoRoutes(app: FastifyInstance): Promise<void> {
  pageDefaults(app);
  const ctx = app.ctx;
  const relyingParties = new RelyingParties(ctx.now);
  const starts = ctx.shared.attemptLimiter('sso-start', STARTS_PER_IP_PER_MINUTE, 60_000, ctx.now);
  const stateCookie = (request: FastifyRequest) => cookieName(request, STATE_COOKIE);

  /** The portal this host serves; the network host gets a page saying SSO belongs to a portal. */
  function sitePortal(request: FastifyRequest, reply: FastifyReply): Portal | null {
    if (request.site.kind === 'portal') return request.site.portal;
    ssoProblemPage(reply, 404, 'Not here', 'Single sign-on belongs to a Bitrix24: open it at your Bitrix24 address.', null);
    return null;
  }

  /** Remembers the flow, binds it to this browser and sends the browser to the identity provider. */
  async function begin(
    request: FastifyRequest,
    reply: FastifyReply,
    portal: Portal,
    settings: SsoSettings,
    flow: { next: string; desktop?: DesktopSsoRequest },
  ) {
    const start = await reserveAttempt([starts, request.ip]);
    if (!start.ok) {
      const wait = start.retryAfter;
      reply.header('retry-after', String(wait));
      return ssoProblemPage(
        reply,
        429,
        'Too many sign-ins',
        `Too many sign-ins were started from here. Try again in ${wait} seconds.`,
        null,
      );
    }
    const { config } = await relyingParties.configuration(settings);
    const now = ctx.now();
    const state = randomToken();
    const nonce = randomToken();
    const codeVerifier = randomToken(48);
    await deleteSsoStatesExpiredBefore(ctx.db, now);
    await insertSsoState(ctx.db, {
      state_hash: hashSecret(state),
      portal_id: portal.id,
      issuer: settings.issuer,
      nonce,
      // Kept as is for its few minutes: the token endpoint needs the verifier itself.
      code_verifier: codeVerifier,
      purpose: flow.desktop ? 'desktop' : 'web',
      next: flow.next,
      desktop_client_id: flow.desktop?.clientId ?? null,
      desktop_redirect_uri: flow.desktop?.redirectUri ?? null,
      desktop_state: flow.desktop?.state ?? null,
      desktop_code_challenge: flow.desktop?.codeChallenge ?? null,
      desktop_device_name: flow.desktop?.deviceName ?? null,
      created_at: now,
      expires_at: now + SSO_STATE_TTL_MS,
    });
    const url = await authorizationUrl(config, { redirectUri: `${request.origin}/sso/callback`, state, nonce, codeVerifier });
    reply.setCookie(stateCookie(request), state, cookieOptions(request, Math.floor(SSO_STATE_TTL_MS / 1000)));
    return seeOther(reply, url.href);
  }

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get('/sso/start', { schema: { querystring: StartQuery } }, async (request, reply) => {
    const portal = sitePortal(request, reply);
    if (!portal) return reply;
    const settings = await findSsoSettings(ctx.db, portal.id);
    const fail = (f: Failure) => ssoProblemPage(reply, f.status, f.title, f.message, LOG_IN_AGAIN);
    if (!settings) return fail(failures.notConfigured(portal));
    try {
      return await begin(request, reply, portal, settings, { next: safeNext(request.query.next) });
    } catch (err) {
      request.log.warn({ err }, 'single sign-on could not start');
      return fail(failures.provider(classifyProviderError(err)));
    }
  });

  typed.get('/sso/desktop/start', { schema: { querystring: DesktopStartQuery } }, async (request, reply) => {
    const portal = sitePortal(request, reply);
    if (!portal) return reply;
    const check = checkDesktopStart(request.query);
    if (!check.ok) {
      if (check.redirect) return seeOther(reply, check.redirect);
      return ssoProblemPage(reply, 400, 'Sign-in request refused', check.description, null);
    }
    const desktop = check.request;
    const fail = (f: Failure) => seeOther(reply, desktopFailure(desktopTarget(desktop), f.desktopError, f.message));
    const settings = await findSsoSettings(ctx.db, portal.id);
    if (!settings) return fail(failures.notConfigured(portal));
    try {
      return await begin(request, reply, portal, settings, { next: '/', desktop });
    } catch (err) {
      request.log.warn({ err }, 'single sign-on could not start');
      return fail(failures.provider(classifyProviderError(err)));
    }
  });

  typed.get('/sso/callback', { schema: { querystring: CallbackQuery } }, async (request, reply) => {
    const portal = sitePortal(request, reply);
    if (!portal) return reply;
    const params = request.query;
    const state = typeof params.state === 'string' ? params.state : '';
    const bound = request.cookies[stateCookie(request)];
    if (bound !== undefined) {
      reply.clearCookie(stateCookie(request), { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
    }
    const flow =
      state !== '' && bound !== undefined && safeEqual(bound, state)
        ? await consumeSsoState(ctx.db, portal.id, hashSecret(state), ctx.now())
        : undefined;
    if (!flow) {
      return ssoProblemPage(
        reply,
        400,
        'Sign-in expired',
        'This sign-in is unknown, has expired, was used already or was started in another browser. Start again.',
        LOG_IN_AGAIN,
      );
    }
    const fail = (f: Failure) =>
      flow.purpose === 'desktop'
        ? seeOther(reply, desktopFailure(desktopTarget(flow), f.desktopError, f.message))
        : ssoProblemPage(reply, f.status, f.title, f.message, LOG_IN_AGAIN);

    const settings = await findSsoSettings(ctx.db, portal.id);
    if (!settings) return fail(failures.notConfigured(portal));
    if (settings.issuer !== flow.issuer) return fail(failures.settingsChanged());
    if (typeof params.error === 'string') {
      const description = typeof params.error_description === 'string' ? params.error_description.slice(0, 300) : undefined;
      return fail(failures.refused(params.error.slice(0, 100), description));
    }

    let identity: Awaited<ReturnType<typeof redeemCallback>>;
    try {
      const { config, remember } = await relyingParties.configuration(settings);
      identity = await redeemCallback(config, callbackUrl(request), { state, nonce: flow.nonce, codeVerifier: flow.code_verifier });
      remember();
    } catch (err) {
      const problem = classifyProviderError(err);
      request.log.warn({ err: problem.cause ?? problem }, 'single sign-on answer refused');
      return fail(failures.provider(problem));
    }

    const who = await resolveSsoMember(ctx, portal, settings, identity);
    if (!who.ok) return fail(failures.noAccess(who.description));
    if (flow.purpose === 'desktop') return seeOther(reply, await finishDesktopSso(ctx, flow, who.member));

    // As the password sign-in: whatever session this browser had is replaced by a fresh one.
    const previous = await currentWebSession(request);
    if (previous) await endWebSession(request, reply, previous);
    await startWebSession(request, reply, who.user);
    return seeOther(reply, safeNext(flow.next));
  });
}
