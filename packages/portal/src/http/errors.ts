import { ErrorBody, SignInError } from '@multidesk/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { tooManyAttemptsText } from '../auth/rateLimiter.ts';

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

/**
 * One shape for every failure: `{error, error_description}`. Client mistakes say what was wrong;
 * server faults say only "Internal Server Error" and the details go to the log.
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
    request.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error');
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

export default fp(errors, { name: 'errors' });
