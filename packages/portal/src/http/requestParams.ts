import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { isObjectOfFields } from './requestSchemas.ts';

/**
 * Query and body merged (body wins): OAuth clients put parameters in either. A body that is not
 * an object of fields (none, a JSON array, text) adds nothing.
 */
export function mergedParams(query: Record<string, unknown>, body: unknown): Record<string, unknown> {
  return { ...query, ...(isObjectOfFields(body) ? body : {}) };
}

/**
 * Validates parameters that may come from the query or the body against a contract schema.
 * Returns the value with unknown fields removed, or a readable message naming the first problem.
 * Unknown fields are dropped before anything walks the value: a JSON body nested thousands deep
 * (which the parser accepts) would overflow the stack of a recursive copy. A known field nested
 * that deep is refused.
 */
export function parseParams<T extends TSchema>(
  schema: T,
  params: Record<string, unknown>,
): { ok: true; value: Static<T> } | { ok: false; message: string } {
  const fields = (schema as { properties?: Record<string, unknown> }).properties;
  const known = fields
    ? Object.fromEntries(
        Object.keys(fields)
          .filter((k) => Object.hasOwn(params, k))
          .map((k) => [k, params[k]]),
      )
    : params;
  let copy: unknown;
  try {
    copy = Value.Clone(known);
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, message: 'request: is nested too deeply' };
    throw error;
  }
  const cleaned = Value.Clean(schema, copy);
  if (Value.Check(schema, cleaned)) return { ok: true, value: cleaned as Static<T> };
  const [first] = Value.Errors(schema, cleaned);
  const where = first?.instancePath ? first.instancePath.replace(/^\//, '') : 'request';
  return { ok: false, message: `${where}: ${first?.message ?? 'is invalid'}` };
}
