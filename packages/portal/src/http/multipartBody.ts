import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BODY_LIMIT_BYTES, parsePhpQuery } from './bodyParsers.ts';

/** Fields one multipart body may carry, as many as a PHP-style form (`parsePhpQuery`) takes. */
const MAX_FIELDS = 2000;

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/**
 * Reads the fields of a multipart body that is already in memory, whole, under the body limit.
 * Fields are re-encoded as a query string so that PHP-style keys (`fields[TITLE]`) nest exactly as
 * in a form body. A truncated or malformed body is a 400; so is a file, which no method takes.
 */
export function parseMultipartFields(body: Buffer, contentType: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = new Busboy({
        headers: { 'content-type': contentType },
        limits: { fields: MAX_FIELDS, parts: MAX_FIELDS, files: 0, fieldSize: BODY_LIMIT_BYTES, fieldNameSize: 1024 },
      });
    } catch (error) {
      // A missing or unusable boundary.
      reject(badRequest(`The multipart body could not be read: ${(error as Error).message}`));
      return;
    }
    const pairs: string[] = [];
    let failure: Error | undefined;
    const fail = (message: string) => {
      failure ??= badRequest(message);
    };
    parser.on('field', (name: string | undefined, value: string) => {
      if (!name) return fail('A multipart field has no name.');
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    });
    parser.on('file', (_name: string, stream: NodeJS.ReadableStream) => {
      stream.resume();
      fail('File uploads are not accepted here: send the values as fields.');
    });
    parser.on('filesLimit', () => fail('File uploads are not accepted here: send the values as fields.'));
    parser.on('fieldsLimit', () => fail(`A multipart body may carry at most ${MAX_FIELDS} fields.`));
    parser.on('partsLimit', () => fail(`A multipart body may carry at most ${MAX_FIELDS} parts.`));
    parser.on('error', (error: Error) => reject(badRequest(`The multipart body could not be read: ${error.message}`)));
    parser.on('finish', () => {
      if (failure) reject(failure);
      else resolve(parsePhpQuery(pairs.join('&')));
    });
    parser.end(body);
  });
}

/**
 * Lets the routes of the calling plugin take multipart bodies, and only those routes. Fastify reads
 * the body as bytes arrive and stops at the route's body limit (content-length or chunked alike),
 * so no part is parsed before the whole body is known to be small.
 */
export function acceptMultipart(app: FastifyInstance): void {
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    async (request: FastifyRequest, body: Buffer) => parseMultipartFields(body, request.headers['content-type'] ?? ''),
  );
}
