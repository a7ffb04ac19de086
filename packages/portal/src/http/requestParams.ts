import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** Query and body merged (body wins): OAuth and REST clients put parameters in either. */
export function mergedParams(request: FastifyRequest): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body =
    request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

/**
 * Validates parameters that may come from the query or the body against a contract schema.
 * Returns the value with unknown fields removed, or a readable message naming the first problem.
 */
export function parseParams<T extends TSchema>(
  schema: T,
  params: Record<string, unknown>,
): { ok: true; value: Static<T> } | { ok: false; message: string } {
  const cleaned = Value.Clean(schema, Value.Clone(params));
  if (Value.Check(schema, cleaned)) return { ok: true, value: cleaned as Static<T> };
  const [first] = Value.Errors(schema, cleaned);
  const where = first?.instancePath ? first.instancePath.replace(/^\//, '') : 'request';
  return { ok: false, message: `${where}: ${first?.message ?? 'is invalid'}` };
}
