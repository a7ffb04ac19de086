import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AuthorizationCodeResponse,
  DESKTOP_CLIENT_ID,
  DesktopLoginRequest,
  RevokeRequest,
  SignInError,
  TokenRequest,
  TokenResponse,
} from '@multidesk/protocol';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { checkCredentials } from '../auth/credentials.ts';
import { desktopCodeExchange, desktopRefresh, exchangeCode, issueCode, refreshTokens, revokeToken } from '../auth/oauthTokens.ts';
import { findMembership } from '../store/members.ts';
import { appTokenGrant } from './appOAuth.ts';
import { errorResponses, sendError } from './errors.ts';
import { mergedParams, parseParams } from './requestParams.ts';
import { AnyBody, AnyQuery } from './requestSchemas.ts';
import { requirePortal } from './tenancy.ts';

const KNOWN_CLIENTS = new Set([DESKTOP_CLIENT_ID]);

/**
 * Token and revocation parameters come in the query, the body or both (RFC 6749 clients and
 * Bitrix24 apps differ): the handler merges them and checks them against the contract schema.
 * The token endpoint also takes GET, and Fastify has no body schemas for GET: its body stays unknown.
 */
const ParamsAnywhere = { querystring: AnyQuery, body: AnyBody };

/**
 * The portal as an OAuth 2.0 authorization server for first-party clients: the desktop's
 * password sign-in ends in a PKCE-bound code, exchanged at /oauth/token/ like Bitrix24's.
 */
export default async function oauthRoutes(app: FastifyInstance): Promise<void> {
  // Routes with schemas get typed requests from them: no casts on request data.
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    '/oauth/desktop/login',
    { schema: { body: DesktopLoginRequest, response: { 200: AuthorizationCodeResponse, ...errorResponses } } },
    async (request, reply) => {
      const portal = requirePortal(request, reply);
      if (!portal) return reply;
      const body = request.body;
      if (!KNOWN_CLIENTS.has(body.client_id)) return sendError(reply, 400, 'invalid_client', `Unknown client "${body.client_id}".`);
      const check = await checkCredentials(app.ctx, body, request.ip);
      if (!check.ok) return sendError(reply, check.status, check.error, check.description, check.retryAfter);
      const member = await findMembership(app.ctx.db, portal.id, check.user.id);
      if (!member?.active) return sendError(reply, 403, SignInError.notAMember, `You are not a member of ${portal.title}.`);
      const code = await issueCode(app.ctx, {
        portalId: portal.id,
        memberId: member.id,
        clientId: body.client_id,
        codeChallenge: body.code_challenge,
        deviceName: body.device_name,
      });
      return reply.send({ ...code, portal_title: portal.title });
    },
  );

  typed.route({
    method: ['GET', 'POST'],
    url: '/oauth/token',
    schema: { querystring: AnyQuery, response: { 200: TokenResponse, ...errorResponses } },
    handler: async (request, reply) => {
      const parsed = parseParams(TokenRequest, mergedParams(request.query, request.body));
      if (!parsed.ok) return sendError(reply, 400, 'invalid_request', parsed.message);
      const input = parsed.value;
      // The network is the token server of Bitrix24 apps; a portal's own is the desktop's.
      if (request.site.kind === 'network') return appTokenGrant(app, request, reply, input);
      const portal = requirePortal(request, reply);
      if (!portal) return reply;
      if (!KNOWN_CLIENTS.has(input.client_id)) {
        return sendError(
          reply,
          401,
          'invalid_client',
          `Unknown client "${input.client_id}"; apps get tokens from the server their authorization named (server_domain).`,
        );
      }
      const outcome =
        input.grant_type === 'authorization_code'
          ? input.code && input.code_verifier
            ? await exchangeCode(
                app.ctx,
                desktopCodeExchange(portal, request.origin, {
                  clientId: input.client_id,
                  code: input.code,
                  codeVerifier: input.code_verifier,
                }),
                { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' },
              )
            : null
          : input.refresh_token
            ? await refreshTokens(
                app.ctx,
                desktopRefresh(portal, request.origin, { clientId: input.client_id, refreshToken: input.refresh_token }),
              )
            : null;
      if (!outcome) {
        const needed = input.grant_type === 'authorization_code' ? 'code and code_verifier' : 'refresh_token';
        return sendError(reply, 400, 'invalid_request', `${input.grant_type} needs ${needed}.`);
      }
      if (!outcome.ok) return sendError(reply, outcome.status, outcome.error, outcome.description);
      reply.header('cache-control', 'no-store');
      return reply.send(outcome.tokens);
    },
  });

  typed.post(
    '/oauth/revoke',
    { schema: { ...ParamsAnywhere, response: { 200: Type.Object({}), ...errorResponses } } },
    async (request, reply) => {
      const portal = requirePortal(request, reply);
      if (!portal) return reply;
      const parsed = parseParams(RevokeRequest, mergedParams(request.query, request.body));
      if (!parsed.ok) return sendError(reply, 400, 'invalid_request', parsed.message);
      await revokeToken(app.ctx, portal, parsed.value.token);
      return reply.send({});
    },
  );
}
