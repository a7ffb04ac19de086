import { parseDateTime } from './dateTime.ts';
import { invalidArgument } from './envelope.ts';
import { isFalsy, isTruthy, toInteger } from './params.ts';

/** How a filterable field's values are read and compared. */
export type FieldKind = 'integer' | 'text' | 'boolean' | 'datetime';

export type FilterOp = '=' | '<>' | '>' | '>=' | '<' | '<=' | 'like';

export interface FilterTerm<F extends string> {
  field: F;
  op: FilterOp;
  /** One value, or several for `=` (IN) and `<>` (NOT IN). */
  values: (string | number)[];
}

/** Bitrix24's filter keys carry their operator: `>ID`, `!ID`, `%NAME`, `>=ID`. */
const KEY = /^(>=|<=|!=|<>|!|=|>|<|%)?([A-Za-z_][A-Za-z0-9_]*)$/;
const OPS: Record<string, FilterOp> = {
  '': '=',
  '=': '=',
  '!': '<>',
  '!=': '<>',
  '<>': '<>',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  '%': 'like',
};
const MAX_VALUES = 500;
const MAX_TEXT = 500;

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  // PHP-style arrays past the parser's array limit arrive as objects keyed by index.
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [value];
}

function readValue(value: unknown, kind: FieldKind, key: string): string | number {
  switch (kind) {
    case 'integer':
      return toInteger(value, key);
    case 'boolean':
      if (isTruthy(value)) return 1;
      if (isFalsy(value)) return 0;
      throw invalidArgument(`${key} must be true or false.`);
    case 'text':
      if ((typeof value !== 'string' && typeof value !== 'number') || String(value).length > MAX_TEXT) {
        throw invalidArgument(`${key} must be a text of at most ${MAX_TEXT} characters.`);
      }
      return String(value);
    case 'datetime': {
      // Compared as epoch milliseconds.
      const ms = typeof value === 'string' && value.length <= 64 ? parseDateTime(value) : undefined;
      if (ms === undefined) throw invalidArgument(`${key} must be an ISO 8601 date-time, e.g. 2026-12-01T18:00:00+03:00.`);
      return ms;
    }
  }
}

/**
 * Reads a Bitrix24 FILTER object against the fields a method filters by. Keys name a field with
 * an optional operator prefix, in any case; fields the method does not know are ignored, as
 * Bitrix24 does. Values are checked for their kind, so what reaches SQL is a bound value only.
 */
export function parseFilter<F extends string>(raw: unknown, fields: Readonly<Record<F, FieldKind>>): FilterTerm<F>[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidArgument('FILTER must be an object of field conditions.');
  const byName = new Map(Object.keys(fields).map((name) => [name.toUpperCase(), name as F]));
  const terms: FilterTerm<F>[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const match = KEY.exec(key.trim());
    const field = match ? byName.get((match[2] as string).toUpperCase()) : undefined;
    if (!match || !field) continue;
    const op = OPS[match[1] ?? ''] as FilterOp;
    const kind = fields[field];
    const values = listOf(value).map((v) => readValue(v, kind, key));
    if (values.length === 0) throw invalidArgument(`${key} needs at least one value.`);
    if (values.length > MAX_VALUES) throw invalidArgument(`${key} takes at most ${MAX_VALUES} values.`);
    if (values.length > 1 && op !== '=' && op !== '<>') throw invalidArgument(`${key} takes one value.`);
    if (op === 'like' && kind !== 'text') throw invalidArgument(`${key}: % applies to text fields only.`);
    if (kind === 'boolean' && op !== '=' && op !== '<>') throw invalidArgument(`${key}: a yes/no field is compared with = or ! only.`);
    terms.push({ field, op, values });
  }
  return terms;
}

export type SortDirection = 'asc' | 'desc';

/**
 * A refused sort as the error names it: a field name as given, cut short; anything else by its kind.
 * Never String() of the client's value: an object whose toString is not a function makes it throw.
 */
function sortName(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return Array.isArray(value) ? 'a list' : 'a value that is not a field name';
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/** `sort=ID&order=DESC`, or `order: {ID: 'DESC'}` as the SDK's list helpers send it. */
export function parseSort<F extends string>(
  sort: unknown,
  order: unknown,
  fields: readonly F[],
  fallback: F,
): { field: F; direction: SortDirection }[] {
  const byName = new Map(fields.map((name) => [name.toUpperCase(), name]));
  const direction = (value: unknown, what: string): SortDirection => {
    const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (text === '' || text === 'asc') return 'asc';
    if (text === 'desc') return 'desc';
    throw invalidArgument(`${what} must be ASC or DESC.`);
  };
  const field = (value: unknown): F => {
    const found = typeof value === 'string' ? byName.get(value.trim().toUpperCase()) : undefined;
    if (!found) throw invalidArgument(`Cannot sort by ${sortName(value)}; sortable: ${fields.join(', ')}.`);
    return found;
  };
  const spec = sort !== undefined && sort !== null && typeof sort === 'object' ? sort : order;
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    return Object.entries(spec).map(([key, value]) => ({ field: field(key), direction: direction(value, `order[${key}]`) }));
  }
  if (sort === undefined || sort === '') return [{ field: fallback, direction: direction(order, 'ORDER') }];
  return [{ field: field(sort), direction: direction(order, 'ORDER') }];
}
