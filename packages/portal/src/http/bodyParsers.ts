import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import qs from 'qs';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** PHP-style keys (`fields[TITLE]=x`, `cmd[a]=…`) as Bitrix24 clients send them. */
export function parsePhpQuery(text: string): Record<string, unknown> {
  return qs.parse(text, { depth: 6, arrayLimit: 200, parameterLimit: 2000, allowPrototypes: false, strictDepth: false });
}

/**
 * Body parsers every route shares: JSON (Fastify's own) and form-urlencoded with PHP-style keys.
 * Malformed bodies fail with 400, oversized ones with 413. Multipart is for REST only
 * (`multipartBody.ts`).
 */
async function bodyParsers(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (_request, body, done) => {
      try {
        done(null, parsePhpQuery(body as string));
      } catch {
        const error = Object.assign(new Error('The form body could not be parsed.'), { statusCode: 400 });
        done(error, undefined);
      }
    },
  );
}

export default fp(bodyParsers, { name: 'body-parsers' });
