import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TokenRequest } from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { exchangeCode, issueCode, refreshTokens, type TokenEndpoints, type TokenOutcome } from '../auth/oauthTokens.ts';
import { reserveAttempt } from '../auth/rateLimiter.ts';
import { hashSecret, safeEqual } from '../auth/secrets.ts';
import { currentWebSession } from '../auth/webSession.ts';
import { findAppByClientId } from '../store/apps.ts';
import type { OAuthApp, Portal } from '../store/schema.ts';
import { sendError, tooManyAttempts } from './errors.ts';
import { sendPage } from './pages/forms.ts';
import { escapeHtml } from './pages/layout.ts';
import { QueryValue } from './requestSchemas.ts';
import { networkUrl, portalUrl } from './tenancy.ts';
import { pageDefaults } from './webPages.ts';

/** Where a Bitrix24 app sends the browser to be authorized (with or without the trailing slash). */
export const APP_AUTHORIZE_PATH = '/oauth/authorize';
/** Bitrix24: "The code lives 30 seconds." */
export const APP_CODE_TTL_MS = 30_000;

/** Anything else (`redirect_uri` too) is ignored; a bad value gets a page, not a 400 JSON. */
const AuthorizeQuery = Type.Object({ client_id: Type.Optional(QueryValue), state: Type.Optional(QueryValue) });

function problemPage(reply: FastifyReply, status: number, title: string, text: string) {
  return sendPage(reply, status, title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(text)}</p>`);
}

/** The network is the token server of apps (the stand-in for oauth.bitrix.info): their tokens name it. */
function appEndpoints(request: FastifyRequest, baseDomain: string): (portal: Portal) => TokenEndpoints {
  return (portal) => ({
    domain: new URL(request.origin).host,
    serverEndpoint: `${request.origin}/rest/`,
    clientEndpoint: `${portalUrl(request, portal, baseDomain)}/rest/`,
    status: 'L',
  });
}

/**
 * `{network}/oauth/token/` for Bitrix24 apps: both grants need the app's `client_secret`. Wrong
 * secrets and unknown codes count against the IP, like guessed passwords.
 */
export async function appTokenGrant(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, input: TokenRequest) {
  const attempt = await reserveAttempt([app.ctx.tokenFailures, request.ip]);
  if (!attempt.ok) return tooManyAttempts(reply, attempt.retryAfter);
  const client = await findAppByClientId(app.ctx.db, input.client_id);
  if (!client || !input.client_secret || !safeEqual(client.secret_hash, hashSecret(input.client_secret))) {
    return sendError(reply, 401, 'invalid_client', 'The client id or client secret is wrong.');
  }
  const endpointsOf = appEndpoints(request, app.ctx.baseDomain);
  let outcome: TokenOutcome;
  if (input.grant_type === 'authorization_code') {
    if (!input.code) return sendError(reply, 400, 'invalid_request', 'authorization_code needs code.');
    outcome = await exchangeCode(
      app.ctx,
      { clientId: client.client_id, code: input.code, portalId: client.portal_id, scope: client.scopes, endpointsOf },
      { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' },
    );
  } else {
    if (!input.refresh_token) return sendError(reply, 400, 'invalid_request', 'refresh_token needs refresh_token.');
    outcome = await refreshTokens(app.ctx, {
      clientId: client.client_id,
      refreshToken: input.refresh_token,
      portalId: client.portal_id,
      endpointsOf,
    });
  }
  if (!outcome.ok) return sendError(reply, outcome.status, outcome.error, outcome.description);
  attempt.release();
  reply.header('cache-control', 'no-store');
  return reply.send(outcome.tokens);
}

/** The URL the browser is sent to: the app's handler with Bitrix24's parameters added to its query. */
function handlerUrl(client: OAuthApp, params: Record<string, string>): string {
  const url = new URL(client.redirect_uri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * `GET {portal}/oauth/authorize/?client_id&state`: the portal signs the browser in (its sign-in
 * page, the second factor included), then sends it to the app's registered handler with a code
 * that lives 30 seconds. `redirect_uri` is never taken from the request. An unknown client gets a
 * page saying so and no redirect.
 */
export default async function appAuthorizeRoutes(app: FastifyInstance): Promise<void> {
  pageDefaults(app);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(APP_AUTHORIZE_PATH, { schema: { querystring: AuthorizeQuery } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (request.site.kind !== 'portal') {
      return problemPage(reply, 404, 'Not here', 'Apps are authorized at a Bitrix24 address, not at the network.');
    }
    const portal = request.site.portal;
    const query = request.query;
    const clientId = typeof query.client_id === 'string' ? query.client_id : '';
    const state = typeof query.state === 'string' ? query.state : '';
    if (state.length > 2000) return problemPage(reply, 400, 'Bad request', 'The state parameter is too long.');
    const client = clientId && clientId.length <= 100 ? await findAppByClientId(app.ctx.db, clientId) : undefined;
    if (!client || client.portal_id !== portal.id) {
      return problemPage(reply, 400, 'Unknown application', `No application with this client id is installed on ${portal.title}.`);
    }
    const current = await currentWebSession(request);
    if (!current?.member)
      return reply
        .code(303)
        .header('location', `/login?next=${encodeURIComponent(request.url)}`)
        .send();
    const { code } = await issueCode(app.ctx, {
      portalId: portal.id,
      memberId: current.member.id,
      clientId: client.client_id,
      codeChallenge: '',
      deviceName: client.title,
      ttlMs: APP_CODE_TTL_MS,
    });
    return reply
      .code(302)
      .header(
        'location',
        handlerUrl(client, {
          code,
          state,
          domain: new URL(request.origin).host,
          member_id: portal.member_id,
          scope: client.scopes,
          server_domain: new URL(networkUrl(request, app.ctx.baseDomain)).host,
        }),
      )
      .send();
  });
}
