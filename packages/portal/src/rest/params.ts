import { REST_PAGE_SIZE, REST_START_UNCOUNTED } from '@multidesk/protocol';
import { invalidArgument, RestFailure } from './envelope.ts';

/** A method's parameters: query and body merged, PHP-style keys already nested. */
export type RestParams = Record<string, unknown>;

/** Merges query and body parameters; the body wins, as in PHP's `$_REQUEST` with Bitrix24's order. */
export function mergeParams(query: RestParams, body: unknown): RestParams {
  if (body === undefined || body === null || body === '') return { ...query };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new RestFailure('INVALID_REQUEST', 'The request body must be an object of parameters.');
  }
  return { ...query, ...body };
}

/** Bitrix24 reads its own parameters in any case (`FILTER`, `filter`, `Filter`). */
export function param(params: RestParams, name: string): unknown {
  if (Object.hasOwn(params, name)) return params[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(params)) if (key.toLowerCase() === lower) return params[key];
  return undefined;
}

/** `true`, `1`, `Y`, `yes` in any case: Bitrix24 clients send all of them. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && ['1', 'y', 'yes', 'true', 'on'].includes(value.trim().toLowerCase());
}

export function isFalsy(value: unknown): boolean {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value === 0;
  return typeof value === 'string' && ['0', 'n', 'no', 'false', 'off', ''].includes(value.trim().toLowerCase());
}

/** An integer parameter; numbers may arrive as strings from forms and query strings. */
export function toInteger(value: unknown, name: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d{1,15}$/.test(text)) throw invalidArgument(`${name} must be an integer.`);
  return Number(text);
}

export interface Page {
  /** Rows to skip. */
  offset: number;
  /** False for `start=-1`: no count, no `total`, no `next`. */
  counted: boolean;
}

/** The `start` parameter as Bitrix24 reads it: an offset, -1 for "do not count", junk as 0. */
export function readPage(params: RestParams): Page {
  const raw = param(params, 'start');
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const start = /^-?\d{1,9}$/.test(text) ? Number(text) : 0;
  if (start === REST_START_UNCOUNTED) return { offset: 0, counted: false };
  return { offset: Math.max(0, start), counted: true };
}

/** `total` and `next` for one page of a counted list; nothing for an uncounted one. */
export function pageFields(page: Page, total: number | undefined): { total?: number; next?: number } {
  if (!page.counted || total === undefined) return {};
  const next = page.offset + REST_PAGE_SIZE;
  return next < total ? { total, next } : { total };
}
