import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import qs from 'qs';

export const BODY_LIMIT_BYTES = 1024 * 1024;

const PARAMETER_LIMIT = 2000;

/** PHP-style keys (`fields[TITLE]=x`, `cmd[a]=…`) as Bitrix24 clients send them. */
export function parsePhpQuery(text: string): Record<string, unknown> {
  return (
    parsePlainQuery(text) ??
    qs.parse(text, { depth: 6, arrayLimit: 200, parameterLimit: PARAMETER_LIMIT, allowPrototypes: false, strictDepth: false })
  );
}

/** Nothing to decode and nothing to nest: letters, digits, `-._~` and the separators. */
const PLAIN_QUERY = /^[\w.~=&-]*$/;

/**
 * The common case without qs (`auth=…&start=50`, most of a REST request's cost otherwise): what
 * qs would make of it, or null when qs must decide (escapes, brackets, a key twice, a name of
 * Object.prototype, more parameters than the limit).
 */
function parsePlainQuery(text: string): Record<string, unknown> | null {
  if (!PLAIN_QUERY.test(text)) return null;
  const parts = text.split('&');
  if (parts.length > PARAMETER_LIMIT) return null;
  const params: Record<string, unknown> = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    if (key === '') continue;
    if (Object.hasOwn(params, key) || Object.hasOwn(Object.prototype, key)) return null;
    params[key] = equals < 0 ? '' : part.slice(equals + 1);
  }
  return params;
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
