import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../auth/secrets.ts';
import { escapeHtml, renderPage } from './layout.ts';

export interface FieldSpec {
  /** How the error message names the field: "Enter your login." */
  label: string;
  max: number;
  optional?: boolean;
}

export type FormResult<K extends string> =
  | { ok: true; values: Record<K, string> }
  | { ok: false; message: string; values: Partial<Record<K, string>> };

/**
 * Reads string fields from a form body (its route declares them as `FormField`s). Anything else
 * (a missing field, arrays or objects from `a[]=` keys, overlong values) becomes a message for
 * the form, never an exception.
 */
export function readForm<K extends string>(body: Partial<Record<NoInfer<K>, unknown>>, spec: Record<K, FieldSpec>): FormResult<K> {
  const values: Partial<Record<K, string>> = {};
  let message: string | undefined;
  for (const name of Object.keys(spec) as K[]) {
    const { label, max, optional } = spec[name];
    const raw: unknown = Object.hasOwn(body, name) ? body[name] : undefined;
    if (raw !== undefined && typeof raw !== 'string') {
      message ??= `The ${label} field is invalid.`;
      continue;
    }
    const value = raw ?? '';
    if (value.length > max) {
      message ??= `The ${label} is too long (at most ${max} characters).`;
      continue;
    }
    if (!optional && value.trim() === '') message ??= `Enter your ${label}.`;
    values[name] = value;
  }
  return message === undefined ? { ok: true, values: values as Record<K, string> } : { ok: false, message, values };
}

const BASE = 'http://next.invalid';

/**
 * Where to go after signing in: a path on this site, or `/`. Refuses protocol-relative (`//evil`),
 * backslash (`/\evil`), absolute and scheme URLs, control characters, and the sign-in pages
 * themselves (no loops), both as given and after dot segments are resolved.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (value[0] !== '/' || value[1] === '/' || value.includes('\\') || /\p{Cc}/u.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  if (/^\/(login|logout)(\/|$)/i.test(url.pathname)) return '/';
  const location = `${url.pathname}${url.search}${url.hash}`;
  // Checked again on what is actually sent: dot segments (`/.//evil`) normalise to `//evil`.
  if (location[1] === '/' || location.includes('\\')) return '/';
  return location;
}

/**
 * A state-changing form must come from this very origin: browsers send Origin on POSTs (and
 * Sec-Fetch-Site), so a sibling portal or another site is refused even before the CSRF token.
 */
export function isSameOriginPost(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== request.origin.toLowerCase()) return false;
  const fetchSite = request.headers['sec-fetch-site'];
  return fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none';
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && given.length > 0 && safeEqual(expected, given);
}

export function sendPage(reply: FastifyReply, status: number, title: string, body: string, wide = false): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderPage({ title, body, wide }));
}

/** 303 so that a browser follows a form POST with a GET (post/redirect/get). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/**
 * After a sign-in form whose next stop sends the browser on to another site (an OAuth app's
 * handler): a page that moves on by itself (`Refresh`), with a link. A 303 would make that
 * cross-site redirect part of the form submission, which the pages' CSP `form-action 'self'` blocks.
 */
export function continueTo(reply: FastifyReply, location: string): FastifyReply {
  reply.header('refresh', `0;url=${location}`);
  return sendPage(
    reply,
    200,
    'Signed in',
    `<h1>Signed in</h1><p>Taking you on… <a href="${escapeHtml(location)}">Continue</a> if nothing happens.</p>`,
  );
}

export function forbiddenPage(reply: FastifyReply): FastifyReply {
  return sendPage(
    reply,
    403,
    'Request refused',
    '<h1>Request refused</h1><p role="alert" class="error">This form was not sent from this page. Reload the page and try again.</p><p><a href="/">Back</a></p>',
  );
}
