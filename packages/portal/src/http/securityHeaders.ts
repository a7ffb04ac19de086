import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { STYLE_SOURCE } from './pages/layout.ts';

/**
 * What the pages and the API share: no content of its own may load anything, nothing may frame it,
 * and no type is sniffed. Browser apps of other origins still read REST and long polling: they do
 * it through CORS, which these do not touch.
 */
const COMMON_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  },
  frameguard: { action: 'deny' },
  // Nothing leaves for other sites; `no-referrer` would also make browsers send `Origin: null`
  // on the pages' own form posts, which isSameOriginPost must refuse.
  referrerPolicy: { policy: 'same-origin' },
  // Sent only to a client that came over https (below): on plain http it would be a lie.
  hsts: false,
};

/**
 * The API's answers (JSON, plain text, redirects) carry the headers that protect a document that
 * is not a page (OWASP's REST Security Cheat Sheet): the CSP that allows nothing, no framing, no
 * sniffing, and no reading by other sites' pages outside CORS. Helmet's others only matter where a
 * browser renders a page (opener and agent-cluster isolation, DNS prefetching, the referrer of its
 * links, IE's download and XSS-filter switches, Flash's cross-domain policies): writing seven more
 * headers on every answer cost REST about a tenth of its time.
 */
const API_HEADER_NAMES = ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'cross-origin-resource-policy'];

/**
 * The pages (sign-in, home, sessions, QR approval, app authorization, single sign-on): no script
 * at all, their one stylesheet by hash, forms posting to their own origin only. No opener policy:
 * an app's authorization may run in a popup its opener waits on, through the sign-in pages.
 */
const PAGE_HEADERS: HelmetOptions = {
  ...COMMON_HEADERS,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: [STYLE_SOURCE],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  crossOriginOpenerPolicy: false,
};

/**
 * The headers helmet sets for `options`. None depends on the request (no nonces), so they are
 * worked out once: @fastify/helmet built helmet's whole middleware again for every request, which
 * cost REST more than its own handler.
 */
function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return Object.freeze(headers);
}

/** One year, once a client has reached the portal over https (directly, or as a trusted balancer says). */
const HSTS = 'max-age=31536000';

const API = (() => {
  const common = helmetHeaders(COMMON_HEADERS);
  return Object.freeze(Object.fromEntries(API_HEADER_NAMES.map((name) => [name, common[name] as string])));
})();
const PAGES = helmetHeaders(PAGE_HEADERS);

/**
 * The API's security headers on every answer (the pages' own hook, `pageSecurityHeaders`, replaces
 * them), and HSTS on https. The hook reads nothing of the route: which headers apply is where the
 * hook is, so API calls pay only for their own.
 */
export async function securityHeaders(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(API);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done();
  });
}

/** For an encapsulated plugin serving pages: its answers get the pages' headers. */
export function pageSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    usePageHeaders(reply);
    done();
  });
}

/** A page answered before any page route's hooks ran (an unknown host's). */
export function usePageHeaders(reply: FastifyReply): void {
  reply.headers(PAGES);
}
