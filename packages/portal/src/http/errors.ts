import { ErrorBody, SignInError } from '@multidesk/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { tooManyAttemptsText } from '../auth/rateLimiter.ts';
import { isServiceUnavailable } from './serviceUnavailable.ts';

/** A JSON route's failures, client mistakes and faults alike: `{error, error_description}` (see `errors`). */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody };

export function sendError(reply: FastifyReply, status: number, error: string, description?: string, retryAfter?: number) {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({
      error,
      ...(description === undefined ? {} : { error_description: description }),
      ...(retryAfter === undefined ? {} : { retry_after: retryAfter }),
    });
}

/** 429 too_many_attempts with Retry-After: a credential endpoint's throttle is spent. */
export function tooManyAttempts(reply: FastifyReply, retryAfter: number) {
  return sendError(reply, 429, SignInError.tooManyAttempts, tooManyAttemptsText(retryAfter), retryAfter);
}

/** Seconds a client is asked to wait when a service is away: about what a PostgreSQL restart takes. */
const UNAVAILABLE_RETRY_AFTER = 5;

/** 503 SERVICE_UNAVAILABLE with Retry-After: the database or Redis is away for now (see `serviceUnavailable.ts`). */
export function serviceUnavailable(reply: FastifyReply) {
  return sendError(
    reply,
    503,
    'SERVICE_UNAVAILABLE',
    'The service is unavailable for a moment; try again shortly.',
    UNAVAILABLE_RETRY_AFTER,
  );
}

/**
 * The answer to a fault: 503 when a service the portal needs is away (logged as a warning: the
 * server itself is fine), else 500 with the details in the log only.
 */
export function sendFault(request: FastifyRequest, reply: FastifyReply, err: unknown) {
  if (isServiceUnavailable(err)) {
    request.log.warn({ err }, 'a service is unavailable');
    return serviceUnavailable(reply);
  }
  request.log.error({ err }, 'request failed');
  return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error');
}

/**
 * One shape for every failure: `{error, error_description}`. Client mistakes say what was wrong;
 * server faults say only "Internal Server Error" (or, for a service that is away, 503
 * SERVICE_UNAVAILABLE) and the details go to the log.
 */
async function errors(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation) {
      return sendError(
        reply,
        400,
        'invalid_request',
        `${err.validationContext ?? 'request'} ${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return sendError(reply, 413, 'payload_too_large', 'The request body is larger than this server accepts.');
    if (status === 415) return sendError(reply, 415, 'unsupported_media_type', 'Send JSON, form-urlencoded or multipart bodies.');
    if (status >= 400 && status < 500) return sendError(reply, status, 'invalid_request', err.message);
    return sendFault(request, reply, err);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

export default fp(errors, { name: 'errors' });
