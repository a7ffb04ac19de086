/**
 * The shape the Bitrix24 docs' example answers show, and a check of an answer against it. The
 * rules, few so that a failure reads plainly:
 * - JSON types are string, number, boolean, null, object and array (an integer is a number).
 * - Every key a documented object shows must be in ours, with a JSON type the docs show for it.
 *   Keys the docs do not show are not looked at.
 * - The elements of a documented list are one shape: a key is required when every documented
 *   element has it, and may have any type they show. Elements with a `type` text are kinds (a
 *   recent item of type `user` or `chat`): ours are checked against the documented elements of
 *   their own kind, or against all of them merged when the docs show none of that kind.
 * - Objects keyed by ids (`{"547": …}`, `{"<user_id>": …}`), or at paths named as maps, are maps:
 *   each of our entries is checked against the documented entries, merged; no key is required.
 * - `null` is a type like the others, with no exception: it is accepted where the docs show null
 *   for that key (in this example or in another example of the same object, see `widen`), and
 *   nowhere else. Where the docs only ever show null, ours must be null: they tell nothing more.
 * - PHP's json_encode writes an empty array as `[]`, a list or a map alike: where the docs show a
 *   map, ours may be `[]`; where they only ever show `[]`, ours may be an object.
 * Paths read `result.items[].user.id`; `[type=chat]` names the kind, `{}` any entry of a map.
 */

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export interface Shape {
  types: Set<JsonType>;
  /** Shown at least once as a list with elements, not only as PHP's `[]`. */
  listed: boolean;
  /** An object with fields: each documented key, and whether every documented object here has it. */
  fields: Map<string, { required: boolean; shape: Shape }> | null;
  /** A map: its entries, merged. */
  entries: Shape | null;
  /** A list: its elements by kind (their `type` text, '' for elements without one). */
  elements: Map<string, Shape>;
}

/** What a check found: messages to show, and which documented keys it looked at or found wrong. */
export interface Report {
  problems: Set<string>;
  checked: Set<string>;
  failed: Set<string>;
}

type JsonObject = Record<string, unknown>;

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'object') return type;
  throw new Error(`not a JSON value: ${type}`);
}

const isObject = (value: unknown): value is JsonObject => jsonType(value) === 'object';
const kindOf = (element: unknown): string => (isObject(element) && typeof element.type === 'string' ? element.type : '');
const ID_KEY = /^(\d+|<[^<>]+>)$/;
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
/** `[]`, or `[type=chat]` where the docs show elements of several kinds. */
const elementsOf = (shape: Shape, kind: string) => (shape.elements.size > 1 ? `[type=${kind}]` : '[]');

function blank(type: JsonType): Shape {
  return { types: new Set([type]), listed: false, fields: null, entries: null, elements: new Map() };
}

/** One documented value as a shape; `isMap` names the paths whose keys are names, not fields. */
export function describe(value: unknown, isMap: (path: string) => boolean = () => false, path = ''): Shape {
  const shape = blank(jsonType(value));
  if (Array.isArray(value)) {
    shape.listed = value.length > 0;
    for (const element of value) {
      const kind = kindOf(element);
      const described = describe(element, isMap, `${path}[]`);
      const known = shape.elements.get(kind);
      shape.elements.set(kind, known ? merge(known, described) : described);
    }
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && (isMap(path) || keys.every((key) => ID_KEY.test(key)))) {
      shape.entries = Object.values(value)
        .map((entry) => describe(entry, isMap, `${path}{}`))
        .reduce(merge);
    } else {
      shape.fields = new Map(keys.map((key) => [key, { required: true, shape: describe(value[key], isMap, join(path, key)) }]));
    }
  }
  return shape;
}

/** PHP's `[]`, an object with no keys as much as an empty list. */
const fieldsOf = (shape: Shape): Shape['fields'] => shape.fields ?? (shape.types.has('array') && !shape.listed ? new Map() : null);

/** Two documented values of one place as one shape: a key stays required only if both objects have it. */
export function merge(a: Shape, b: Shape): Shape {
  const merged: Shape = {
    types: new Set([...a.types, ...b.types]),
    listed: a.listed || b.listed,
    fields: a.fields ?? b.fields,
    entries: a.entries && b.entries ? merge(a.entries, b.entries) : (a.entries ?? b.entries),
    elements: new Map(a.elements),
  };
  const [aFields, bFields] = [fieldsOf(a), fieldsOf(b)];
  if (merged.fields && aFields && bFields) {
    merged.fields = new Map();
    for (const key of new Set([...aFields.keys(), ...bFields.keys()])) {
      const [x, y] = [aFields.get(key), bFields.get(key)];
      const shape = x && y ? merge(x.shape, y.shape) : ((x ?? y)?.shape as Shape);
      merged.fields.set(key, { required: (x?.required ?? false) && (y?.required ?? false), shape });
    }
  }
  for (const [kind, shape] of b.elements) {
    const known = merged.elements.get(kind);
    merged.elements.set(kind, known ? merge(known, shape) : shape);
  }
  return merged;
}

/**
 * Lets `target` accept what another example of the same object shows: its types (so a key one
 * example shows as null and another as text accepts both), and what `target` leaves empty (the
 * fields of an object it shows as `[]`, the kinds of elements it does not show). Which keys are
 * required stays as `target`'s own example says.
 */
export function widen(target: Shape, other: Shape): void {
  for (const type of other.types) target.types.add(type);
  target.listed ||= other.listed;
  if (!target.fields) target.fields = other.fields && structuredClone(other.fields);
  else if (other.fields) {
    for (const [key, field] of target.fields) {
      const same = other.fields.get(key);
      if (same) widen(field.shape, same.shape);
    }
  }
  if (!target.entries) target.entries = other.entries && structuredClone(other.entries);
  else if (other.entries) widen(target.entries, other.entries);
  for (const [kind, shape] of other.elements) {
    const known = target.elements.get(kind);
    if (known) widen(known, shape);
    else target.elements.set(kind, structuredClone(shape));
  }
}

/** The shapes at `path` (`result.items[].user`, `result.result{}`): every kind of element, every map entry. */
export function locate(shape: Shape, path: string): Shape[] {
  let found = [shape];
  for (const segment of path.split('.')) {
    const [, key, suffix] = /^([^[{]*)(\[\]|\{\})?$/.exec(segment) ?? [];
    if (key) found = found.flatMap((s) => s.fields?.get(key)?.shape ?? []);
    if (suffix === '[]') found = found.flatMap((s) => [...s.elements.values()]);
    if (suffix === '{}') found = found.flatMap((s) => s.entries ?? []);
  }
  return found;
}

/** The keys every answer must have, e.g. `result.items[type=chat].chat.id`. */
export function requiredKeys(shape: Shape, path = ''): string[] {
  const keys: string[] = [];
  for (const [key, field] of shape.fields ?? []) {
    if (!field.required) continue;
    keys.push(join(path, key), ...requiredKeys(field.shape, join(path, key)));
  }
  if (shape.entries) keys.push(...requiredKeys(shape.entries, `${path}{}`));
  for (const [kind, element] of shape.elements) keys.push(...requiredKeys(element, `${path}${elementsOf(shape, kind)}`));
  return [...new Set(keys)];
}

function accepts(shape: Shape, value: unknown): boolean {
  const type = jsonType(value);
  if (shape.types.has(type)) return true;
  if (type === 'object') return shape.types.has('array') && !shape.listed;
  return type === 'array' && (value as unknown[]).length === 0 && shape.entries !== null;
}

function fail(report: Report, path: string, problem: string): void {
  report.problems.add(`${path}: ${problem}`);
  report.failed.add(path);
}

/** Checks `ours` against the documented shape; `skip` names documented keys left out on purpose. */
export function check(shape: Shape, ours: unknown, report: Report, skip: (path: string) => boolean = () => false, path = ''): void {
  if (!accepts(shape, ours)) {
    fail(report, path, `${jsonType(ours)}, documented ${[...shape.types].join(' or ')}`);
    return;
  }
  if (Array.isArray(ours)) {
    const all = [...shape.elements.values()];
    const merged = all.length > 0 ? all.reduce(merge) : undefined;
    for (const element of ours) {
      const kind = kindOf(element);
      const documented = shape.elements.get(kind) ?? merged;
      if (documented) check(documented, element, report, skip, `${path}${elementsOf(shape, kind)}`);
    }
    return;
  }
  if (!isObject(ours)) return;
  if (shape.entries) for (const entry of Object.values(ours)) check(shape.entries, entry, report, skip, `${path}{}`);
  for (const [key, field] of shape.fields ?? []) {
    const at = join(path, key);
    if (skip(at)) continue;
    if (Object.hasOwn(ours, key)) {
      if (field.required) report.checked.add(at);
      check(field.shape, ours[key], report, skip, at);
    } else if (field.required) {
      report.checked.add(at);
      fail(report, at, 'missing');
    }
  }
}

/** Whether a documented key is wrong in ours: it, or a key it sits under, is missing or of another type. */
export function isFailed(report: Report, key: string): boolean {
  for (const failed of report.failed) {
    if (key === failed || key.startsWith(`${failed}.`) || key.startsWith(`${failed}[`) || key.startsWith(`${failed}{`)) return true;
  }
  return false;
}
