import { ErrorBody, RestSuccessBody } from '@multidesk/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, readToken } from '../rest/auth.ts';
import { batchMethods } from '../rest/batch.ts';
import { RestFailure, successJson } from '../rest/envelope.ts';
import { imMethods } from '../rest/methods/im.ts';
import { imEventMethods } from '../rest/methods/imEvents.ts';
import { pullMethods } from '../rest/methods/pull.ts';
import { serverMethods } from '../rest/methods/server.ts';
import { taskMethods } from '../rest/methods/tasks.ts';
import { userMethods } from '../rest/methods/user.ts';
import { OperatingMeter } from '../rest/operating.ts';
import { mergeParams } from '../rest/params.ts';
import { parseRestPath } from '../rest/path.ts';
import { dispatch, RestRegistry } from '../rest/registry.ts';
import { parsePhpQuery } from './bodyParsers.ts';
import { sendError, sendFault, serviceUnavailable } from './errors.ts';
import { acceptMultipart } from './multipartBody.ts';
import { requirePortal } from './tenancy.ts';

const stringify = (body: unknown) => JSON.stringify(body);

/** Body problems on REST routes answer in Bitrix24's style; faults say only "Internal Server Error" (or 503, `sendFault`). */
function restErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts (1 MiB).');
  if (status === 415) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON, form-urlencoded or multipart bodies.');
  if (status >= 400 && status < 500) return sendError(reply, status, 'INVALID_REQUEST', error.message);
  return sendFault(request, reply, error);
}

/**
 * Bitrix24's REST API on every portal: `/rest/<method>` with an access token and
 * `/rest/<member id>/<secret>/<method>` for inbound webhooks, GET or POST, any body shape.
 */
export default async function restRoutes(app: FastifyInstance): Promise<void> {
  const registry = new RestRegistry([serverMethods, userMethods, imMethods, imEventMethods, taskMethods, pullMethods, batchMethods]);
  const meter = new OperatingMeter(app.ctx.now);
  const retryAfter = app.ctx.restBucket ? Math.max(1, Math.ceil(1 / app.ctx.limits.restDrainPerSecond)) : 0;

  app.setErrorHandler(restErrors);
  acceptMultipart(app);

  app.route({
    method: ['GET', 'POST'],
    url: '/rest/*',
    schema: { response: { 200: RestSuccessBody, '4xx': ErrorBody, '5xx': ErrorBody } },
    // The bodies are built in one place each, with exactly the schema's fields (the envelope here,
    // errors in sendError), and `result` is free-form: JSON.stringify writes them in about half the
    // time of the serializer compiled from the schema, which escapes every string in JavaScript.
    // An unchanging result (see `unchanging`) is written once.
    serializerCompiler: ({ httpStatus }) => (httpStatus === '200' ? successJson : stringify),
    handler: async (request, reply) => {
      // The time block starts when the request arrived, before tenancy and body parsing.
      const startedAt = app.ctx.now() - reply.elapsedTime;
      const startedHr = performance.now() - reply.elapsedTime;
      const portal = requirePortal(request, reply);
      if (!portal) return reply;
      try {
        const address = parseRestPath(request.url);
        if (!address) throw new RestFailure('ERROR_METHOD_NOT_FOUND', 'Method not found: use /rest/<method> or a webhook address.');
        const cut = request.url.indexOf('?');
        const {
          auth: authParam,
          access_token: accessToken,
          ...params
        } = mergeParams(cut < 0 ? {} : parsePhpQuery(request.url.slice(cut + 1)), request.body);
        const credentials = address.webhook ?? readToken({ auth: authParam, access_token: accessToken }, request.headers.authorization);
        const auth = await authenticate(app.ctx, portal, credentials);
        if (app.ctx.restBucket) {
          // In memory the answer is at hand; through Redis it is awaited.
          const taken = app.ctx.restBucket.take(`${portal.id}:${auth.memberId}`);
          if (!(typeof taken === 'boolean' ? taken : await taken)) {
            return sendError(reply, 503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests', retryAfter);
          }
        }
        const session = { ctx: app.ctx, origin: request.origin, portal, auth, registry, meter, log: request.log };
        const called = await dispatch(session, address.method, params, startedAt, startedHr);
        if (!called.ok) throw called.failure;
        const { result, total, next } = called.outcome;
        return reply.send({ result, total, next, time: called.time });
      } catch (error) {
        if (error instanceof RestFailure) {
          return error.code === 'SERVICE_UNAVAILABLE'
            ? serviceUnavailable(reply)
            : sendError(reply, error.status, error.code, error.message);
        }
        throw error;
      }
    },
  });
}
