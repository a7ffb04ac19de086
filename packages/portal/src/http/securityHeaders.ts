import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { STYLE_SOURCE } from './pages/layout.ts';

/**
 * What every answer carries, the API's JSON too (helmet's defaults otherwise): no content of its
 * own may load anything, nothing may frame it, and no type is sniffed. Browser apps of other
 * origins still read REST and long polling: they do it through CORS, which these do not touch.
 */
const API_HEADERS: FastifyHelmetOptions = {
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
 * The pages (sign-in, home, sessions, QR approval, app authorization, single sign-on): no script
 * at all, their one stylesheet by hash, forms posting to their own origin only. No opener policy:
 * an app's authorization may run in a popup its opener waits on, through the sign-in pages.
 */
const PAGE_HEADERS: FastifyHelmetOptions = {
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

/** One year, once a client has reached the portal over https (directly, or as a trusted balancer says). */
const HSTS = 'max-age=31536000';

/** Helmet on every route, with the API's headers; pages take theirs with `pageSecurityHeaders`. */
export async function securityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, API_HEADERS);
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}

/** For an encapsulated plugin serving pages: its routes get the pages' headers. */
export function pageSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    // What @fastify/helmet reads on each request (its own `helmet` route option ends up there).
    route.config = { ...(route.config as object), helmet: PAGE_HEADERS } as RouteOptions['config'];
  });
}
