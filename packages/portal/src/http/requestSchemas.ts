import { Type } from 'typebox';

/*
 * Loose request schemas for routes that answer bad input in their own way (a page with the form,
 * Bitrix24's text answers, OAuth's `invalid_request` from the contract schema). They only say what
 * the parsers can produce, so validation never fails and the handler still decides the answer;
 * the handler gets the type from the TypeBox provider instead of casting.
 */

/** A query parameter as Fastify's parser leaves it: a string, or an array when the name repeats. */
export const QueryValue = Type.Union([Type.String(), Type.Array(Type.String())]);

/** A query string of any names, for handlers that take their parameters from it as a whole. */
export const AnyQuery = Type.Record(Type.String(), QueryValue);

/** A body of any shape (JSON of any kind, a form, text, none): the handler reads and checks it. */
export const AnyBody = Type.Unknown();

/**
 * A field of a page's form: any value, since `readForm` checks it and answers with the form. The
 * pages' body is always an object of fields (see `pageDefaults`).
 */
export const FormField = Type.Optional(Type.Unknown());

/** A parsed body or query that is an object of named values (not an array, text or null). */
export function isObjectOfFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
