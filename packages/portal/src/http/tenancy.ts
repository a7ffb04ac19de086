import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findPortalByName, PORTAL_NAME_PATTERN } from '../store/portals.ts';
import type { Portal } from '../store/schema.ts';
import { sendError } from './errors.ts';
import { renderPage } from './pages/layout.ts';

/** Splits `acme.localhost:8024` into host name and port, refusing anything malformed. */
export function parseHost(header: string | undefined): { hostname: string; port: string } | null {
  if (!header) return null;
  const match = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return null;
  return { hostname: (match[1] as string).toLowerCase().replace(/\.$/, ''), port: match[2] ?? '' };
}

/** The address of a portal as seen from the network's host (same scheme and port). */
export function portalUrl(request: FastifyRequest, portal: Pick<Portal, 'name'>, baseDomain: string): string {
  const host = parseHost(request.host);
  const port = host?.port ? `:${host.port}` : '';
  return `${request.protocol}://${portal.name}.${baseDomain}${port}`;
}

/** The network's own address as seen by this request (same scheme and port). */
export function networkUrl(request: FastifyRequest, baseDomain: string): string {
  const host = parseHost(request.host);
  return `${request.protocol}://${baseDomain}${host?.port ? `:${host.port}` : ''}`;
}

/**
 * Resolves the Host header to the network or one portal before any route runs. An unknown host
 * gets a 404 of its own: never another portal's data.
 */
async function tenancy(app: FastifyInstance): Promise<void> {
  app.decorateRequest('site', null as never);
  app.decorateRequest('origin', '');

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const host = parseHost(request.headers.host);
    const base = app.ctx.baseDomain;
    const unknown = () => {
      if (wantsJson(request)) return sendError(reply, 404, 'PORTAL_NOT_FOUND', 'There is no Bitrix24 at this address.');
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          renderPage({
            title: 'Bitrix24 not found',
            body: '<h1>Bitrix24 not found</h1><p>There is no Bitrix24 at this address. Check the address and try again.</p>',
          }),
        );
    };
    if (!host) return unknown();
    request.origin = `${request.protocol}://${request.headers.host}`;
    if (host.hostname === base) {
      request.site = { kind: 'network' };
      return;
    }
    const suffix = `.${base}`;
    const label = host.hostname.endsWith(suffix) ? host.hostname.slice(0, -suffix.length) : '';
    if (!PORTAL_NAME_PATTERN.test(label)) return unknown();
    const portal = await findPortalByName(app.ctx.db, label);
    if (!portal) return unknown();
    request.site = { kind: 'portal', portal };
  });
}

/** API clients get JSON errors; browsers get pages. */
export function wantsJson(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return /^\/(rest|oauth|network|api)(\/|$)/.test(path) || !(request.headers.accept ?? '').includes('text/html');
}

/** The portal a portal-only route runs for; the network host gets a 404 there. */
export function requirePortal(request: FastifyRequest, reply: FastifyReply): Portal | null {
  if (request.site.kind === 'portal') return request.site.portal;
  sendError(reply, 404, 'NOT_FOUND', 'This address serves the network; use a portal address.');
  return null;
}

export function requireNetwork(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.site.kind === 'network') return true;
  sendError(reply, 404, 'NOT_FOUND', 'This endpoint is served by the network address, not by a portal.');
  return false;
}

export default fp(tenancy, { name: 'tenancy' });
