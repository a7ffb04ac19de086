import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findPortalByName, PORTAL_NAME_PATTERN } from '../store/portals.ts';
import type { Portal } from '../store/schema.ts';
import type { PortalContext } from './context.ts';
import { sendError } from './errors.ts';
import { renderPage } from './pages/layout.ts';
import { usePageHeaders } from './securityHeaders.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers on any Host, known portal or not (the load balancer's probes, `health.ts`). */
    anyHost?: boolean;
  }
}

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

/** An unknown host: a 404 of its own, JSON for API clients and a page for browsers. */
function unknownHost(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (wantsJson(request)) return sendError(reply, 404, 'PORTAL_NOT_FOUND', 'There is no Bitrix24 at this address.');
  usePageHeaders(reply);
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .send(
      renderPage({
        title: 'Bitrix24 not found',
        body: '<h1>Bitrix24 not found</h1><p>There is no Bitrix24 at this address. Check the address and try again.</p>',
      }),
    );
}

/** A portal from the database, kept in `ctx.portalReads` while the database is unchanged. */
async function readPortal(ctx: PortalContext, name: string): Promise<Portal | undefined> {
  const version = ctx.portalReads.version();
  const portal = await findPortalByName(ctx.db, name);
  if (portal) ctx.portalReads.set(name, Object.freeze(portal), version);
  return portal;
}

/** What a Host header names: the network, a portal (by its label), or nothing served here (null). */
type HostSite = { kind: 'network' } | { kind: 'portal'; label: string } | null;

const NETWORK: HostSite = Object.freeze({ kind: 'network' });

function siteOfHost(header: string | undefined, baseDomain: string): HostSite {
  const host = parseHost(header);
  if (!host) return null;
  if (host.hostname === baseDomain) return NETWORK;
  const suffix = `.${baseDomain}`;
  const label = host.hostname.endsWith(suffix) ? host.hostname.slice(0, -suffix.length) : '';
  return PORTAL_NAME_PATTERN.test(label) ? Object.freeze({ kind: 'portal', label }) : null;
}

/** Host headers seen lately, and what they name: clients send the same one on every request. */
const HOST_SITES_KEPT = 1_000;

/**
 * Resolves the Host header to the network or one portal before any route runs. An unknown host
 * gets a 404 of its own: never another portal's data.
 */
async function tenancy(app: FastifyInstance): Promise<void> {
  app.decorateRequest('site', null as never);
  app.decorateRequest('origin', '');
  const baseDomain = app.ctx.baseDomain;
  const hostSites = new Map<string, HostSite>();

  function hostSite(header: string | undefined): HostSite {
    if (header === undefined) return null;
    let site = hostSites.get(header);
    if (site === undefined) {
      site = siteOfHost(header, baseDomain);
      if (hostSites.size >= HOST_SITES_KEPT) hostSites.clear();
      hostSites.set(header, site);
    }
    return site;
  }

  // A callback hook: a portal read a moment ago (most requests) is found without waiting for anything.
  // Routes that answer on any Host are asked only where the Host would be refused or the database
  // read: reading a route's options costs every request.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const site = hostSite(request.headers.host);
    if (!site) return request.routeOptions.config.anyHost ? done() : unknownHost(request, reply);
    request.origin = `${request.protocol}://${request.headers.host}`;
    if (site.kind === 'network') {
      request.site = site;
      return done();
    }
    const kept = app.ctx.portalReads.get(site.label);
    if (kept) {
      request.site = { kind: 'portal', portal: kept };
      return done();
    }
    if (request.routeOptions.config.anyHost) return done();
    readPortal(app.ctx, site.label).then((portal) => {
      if (!portal) return unknownHost(request, reply);
      request.site = { kind: 'portal', portal };
      done();
    }, done);
  });
}

/** API clients get JSON errors; browsers get pages. Routes match any case, and so does this. */
export function wantsJson(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return /^\/(rest|oauth|network|api|qr\/requests)(\/|$)/i.test(path) || !(request.headers.accept ?? '').includes('text/html');
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
