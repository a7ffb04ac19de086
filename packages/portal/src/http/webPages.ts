import type { FastifyError, FastifyInstance } from 'fastify';
import { forbiddenPage, sendPage } from './pages/forms.ts';
import { homeRoutes } from './pages/home.ts';
import { escapeHtml } from './pages/layout.ts';
import { sessionRoutes } from './pages/sessions.ts';
import { signInRoutes } from './pages/signIn.ts';
import { isObjectOfFields } from './requestSchemas.ts';
import { pageSecurityHeaders } from './securityHeaders.ts';
import { isServiceUnavailable } from './serviceUnavailable.ts';

/** How long the code step waits after the password was accepted. */
const PENDING_SIGN_IN_MS = 5 * 60_000;

/** Form posts of these pages are small; anything larger is refused before parsing. */
const PAGE_BODY_LIMIT = 16 * 1024;

/**
 * What every page route shares: the pages' security headers (helmet, `securityHeaders.ts`),
 * errors answered with a page (the API keeps its JSON errors), and small form bodies. Call it in
 * an encapsulated plugin that serves pages.
 */
export function pageDefaults(app: FastifyInstance): void {
  // No scripts at all: the pages work without JavaScript, and injected markup cannot run any.
  pageSecurityHeaders(app);
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 403) return forbiddenPage(reply);
    if (status >= 400 && status < 500) {
      const message = status === 413 ? 'The form is too large.' : 'The form could not be read. Go back and try again.';
      return sendPage(
        reply,
        status,
        'Bad request',
        `<h1>Bad request</h1><p class="error" role="alert">${escapeHtml(message)}</p><p><a href="/">Back</a></p>`,
      );
    }
    if (isServiceUnavailable(err)) {
      request.log.warn({ err }, 'page found a service unavailable');
      return sendPage(reply, 503, 'Try again shortly', '<h1>Try again shortly</h1><p>The service is unavailable for a moment.</p>');
    }
    request.log.error({ err }, 'page failed');
    return sendPage(reply, 500, 'Something went wrong', '<h1>Something went wrong</h1><p>Internal Server Error. Try again later.</p>');
  });

  // A form is an object of fields. Anything else (no body, JSON that is not an object, text) is
  // read as an empty form before validation, so a page answers it as it answers missing fields.
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.schema?.body !== undefined && !isObjectOfFields(request.body)) request.body = {};
  });

  // A route's own limit: Fastify counts the bytes as they arrive, chunked bodies included.
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= PAGE_BODY_LIMIT;
  });
}

/**
 * The portal's pages for a browser or phone, on every portal host and on the network host: sign
 * in (with the second factor), home, sign out, and "Where you're signed in" with revocation.
 */
export default async function webPages(app: FastifyInstance): Promise<void> {
  pageDefaults(app);
  signInRoutes(app, app.ctx.shared.pendingSignIns(PENDING_SIGN_IN_MS, app.ctx.now));
  homeRoutes(app);
  sessionRoutes(app);
}
