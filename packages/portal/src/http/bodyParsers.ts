import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import qs from 'qs';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** PHP-style keys (`fields[TITLE]=x`, `cmd[a]=…`) as Bitrix24 clients send them. */
export function parsePhpQuery(text: string): Record<string, unknown> {
  return qs.parse(text, { depth: 6, arrayLimit: 200, parameterLimit: 2000, allowPrototypes: false, strictDepth: false });
}

/**
 * Body parsers for every shape Bitrix24 clients use: JSON, form-urlencoded with PHP-style keys and
 * multipart (fields only). Malformed bodies fail with 400, oversized ones with 413.
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

  await app.register(multipart, {
    limits: { fieldSize: BODY_LIMIT_BYTES, fields: 2000, files: 0, fileSize: 0, parts: 2000 },
  });

  // Multipart fields are re-encoded as a query string so that PHP-style keys nest the same way.
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const pairs: string[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'field') pairs.push(`${encodeURIComponent(part.fieldname)}=${encodeURIComponent(String(part.value))}`);
    }
    request.body = parsePhpQuery(pairs.join('&'));
  });
}

export default fp(bodyParsers, { name: 'body-parsers' });
