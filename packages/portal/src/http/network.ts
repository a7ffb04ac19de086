import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DESKTOP_CLIENT_ID,
  NetworkAuthorizeRequest,
  NetworkAuthorizeResponse,
  NetworkLoginRequest,
  NetworkLoginResponse,
  NetworkLogoutRequest,
  SignInError,
  SSO_DISCOVER_PATH,
  SsoDiscoverRequest,
  SsoDiscoverResponse,
} from '@multidesk/protocol';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { checkCredentials } from '../auth/credentials.ts';
import { endNetworkSession, startNetworkSession } from '../auth/networkSession.ts';
import { issueCode } from '../auth/oauthTokens.ts';
import { reserveAttempt } from '../auth/rateLimiter.ts';
import { hashSecret } from '../auth/secrets.ts';
import { findMembership } from '../store/members.ts';
import { findPortalByName } from '../store/portals.ts';
import { findPortalsBySsoDomain } from '../store/sso.ts';
import { findUserById } from '../store/users.ts';
import { findLiveWebSession } from '../store/webSessions.ts';
import { errorResponses, sendError, tooManyAttempts } from './errors.ts';
import { parseHost, portalUrl, requireNetwork } from './tenancy.ts';

/** Single sign-on lookups one IP may make per minute: enough for people, too few to map every domain. */
const DISCOVERIES_PER_IP_PER_MINUTE = 20;

const EMAIL = /^[^\s@]{1,64}@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The network: one login lists every Bitrix24 it belongs to, and a short-lived network session
 * turns a choice from that list into an authorization code for that portal, with no second password.
 * A network session also comes from an approved QR code (see qr.ts).
 */
export default async function networkRoutes(app: FastifyInstance): Promise<void> {
  // Routes with schemas get typed requests from them: no casts on request data.
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    '/network/login',
    { schema: { body: NetworkLoginRequest, response: { 200: NetworkLoginResponse, ...errorResponses } } },
    async (request, reply) => {
      if (!requireNetwork(request, reply)) return reply;
      const check = await checkCredentials(app.ctx, request.body, request.ip);
      if (!check.ok) return sendError(reply, check.status, check.error, check.description, check.retryAfter);
      const signedIn = await startNetworkSession(request, check.user);
      reply.header('cache-control', 'no-store');
      return reply.send(signedIn);
    },
  );

  typed.post(
    '/network/authorize',
    { schema: { body: NetworkAuthorizeRequest, response: { 200: NetworkAuthorizeResponse, ...errorResponses } } },
    async (request, reply) => {
      if (!requireNetwork(request, reply)) return reply;
      const body = request.body;
      if (body.client_id !== DESKTOP_CLIENT_ID) return sendError(reply, 400, 'invalid_client', `Unknown client "${body.client_id}".`);
      const attempt = await reserveAttempt([app.ctx.ipFailures, request.ip]);
      if (!attempt.ok) return tooManyAttempts(reply, attempt.retryAfter);
      const session = await findLiveWebSession(app.ctx.db, hashSecret(body.session), 'network', null, app.ctx.now());
      if (!session)
        return sendError(reply, 401, SignInError.invalidSession, 'The network session is unknown or has expired; sign in again.');
      attempt.release();
      const portal = await portalFromUrl(app, body.portal_url);
      const member = portal ? await findMembership(app.ctx.db, portal.id, session.user_id) : undefined;
      if (!portal || !member?.active) return sendError(reply, 403, SignInError.notAMember, 'You are not a member of that Bitrix24.');
      const user = await findUserById(app.ctx.db, session.user_id);
      const { code } = await issueCode(app.ctx, {
        portalId: portal.id,
        memberId: member.id,
        clientId: body.client_id,
        codeChallenge: body.code_challenge,
        deviceName: body.device_name ?? `Multidesk (${user?.email ?? 'network'})`,
      });
      return reply.send({ portal_url: portalUrl(request, portal, app.ctx.baseDomain), code });
    },
  );

  /**
   * "Log in with single sign-on" with a work e-mail: the Bitrix24s whose single sign-on takes that
   * e-mail's domain. Says nothing about people: the same answer whoever the address belongs to.
   */
  const discoveries = app.ctx.shared.attemptLimiter('sso-discover', DISCOVERIES_PER_IP_PER_MINUTE, 60_000, app.ctx.now);
  typed.post(
    SSO_DISCOVER_PATH,
    { schema: { body: SsoDiscoverRequest, response: { 200: SsoDiscoverResponse, ...errorResponses } } },
    async (request, reply) => {
      if (!requireNetwork(request, reply)) return reply;
      const lookup = await reserveAttempt([discoveries, request.ip]);
      if (!lookup.ok) {
        const wait = lookup.retryAfter;
        return sendError(reply, 429, SignInError.tooManyAttempts, `Too many look-ups. Try again in ${wait} seconds.`, wait);
      }
      const email = request.body.email.trim().toLowerCase();
      if (!EMAIL.test(email))
        return sendError(reply, 400, SignInError.invalidRequest, 'Enter a work e-mail address such as name@example.com.');
      const portals = await findPortalsBySsoDomain(app.ctx.db, email.slice(email.lastIndexOf('@') + 1));
      return reply.send({ portals: portals.map((p) => ({ title: p.title, url: portalUrl(request, p, app.ctx.baseDomain) })) });
    },
  );

  /** Change user: the session stops working at once. An unknown session gets the same 200 {}. */
  typed.post(
    '/network/logout',
    { schema: { body: NetworkLogoutRequest, response: { 200: Type.Object({}), ...errorResponses } } },
    async (request, reply) => {
      if (!requireNetwork(request, reply)) return reply;
      await endNetworkSession(request, request.body.session);
      return reply.send({});
    },
  );
}

/** `http://acme.localhost:8024/` → the acme portal, when its host is under this network's domain. */
async function portalFromUrl(app: FastifyInstance, text: string) {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return undefined;
  }
  const host = parseHost(url.host);
  const suffix = `.${app.ctx.baseDomain}`;
  if (!host?.hostname.endsWith(suffix)) return undefined;
  return findPortalByName(app.ctx.db, host.hostname.slice(0, -suffix.length));
}
