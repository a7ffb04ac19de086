import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { batchAnswers } from './http/answerBatching.ts';
import appAuthorizeRoutes from './http/appOAuth.ts';
import bodyParsers, { BODY_LIMIT_BYTES } from './http/bodyParsers.ts';
import { capConnectionsPerAddress, trustedAddresses } from './http/connectionCap.ts';
import { createContext, defaultLimits, type Limits } from './http/context.ts';
import errors from './http/errors.ts';
import healthRoutes from './http/health.ts';
import { redactUrl } from './http/logRedaction.ts';
import networkRoutes from './http/network.ts';
import oauthRoutes from './http/oauth.ts';
import pullRoutes from './http/pull.ts';
import qrRoutes from './http/qr.ts';
import { requestLoggerFactory } from './http/requestLogger.ts';
import restRoutes from './http/rest.ts';
import { securityHeaders } from './http/securityHeaders.ts';
import sharedOutage from './http/sharedOutage.ts';
import ssoRoutes from './http/sso.ts';
import tenancy from './http/tenancy.ts';
import webPages from './http/webPages.ts';
import type { SharedState } from './shared/sharedState.ts';
import type { Db } from './store/database.ts';

/**
 * Connections waiting to be accepted (`listen`'s backlog; Linux caps it at net.core.somaxconn, 4096
 * on current kernels). Node's 511 fills under a flood of connections, and a client whose SYN is
 * dropped tries again only after a second: REST answers then took over a second.
 */
export const LISTEN_BACKLOG = 4096;

export interface AppOptions {
  db: Db;
  /** Host name of the network directory; portals are its subdomains. Default `localhost`. */
  baseDomain?: string;
  now?: () => number;
  limits?: Partial<Limits>;
  /** What instances share (`serve --redis`); default this process's memory. The caller closes it. */
  shared?: SharedState;
  logger?: FastifyServerOptions['logger'];
  /**
   * Addresses or CIDR ranges of the load balancers in front (`serve --trust-proxy`): from them
   * X-Forwarded-For names the client (per-IP throttles count it, not the balancer) and
   * X-Forwarded-Proto the scheme it used. Default none: every header from the peer is its own.
   */
  trustProxy?: string[];
}

/** Log lines carry method, redacted URL and status: never a body, cookie or authorization header. */
const serializers = {
  req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const logger = options.logger === undefined ? false : options.logger;
  const limits = { ...defaultLimits, ...options.limits };
  // One reading of the balancers for what requests believe and for the connection cap.
  const trusted = trustedAddresses(options.trustProxy ?? []);
  const app = Fastify({
    logger: logger === false || logger === true ? (logger ? { serializers } : false) : { ...logger, serializers },
    ...(logger === false ? {} : { childLoggerFactory: requestLoggerFactory }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients must not hold connections open: a silent one goes after a minute, headers
    // dribbled in are cut at `headersTimeoutMs`, a body dribbled in at `requestTimeoutMs` (408),
    // checked every second rather than Node's default 30.
    connectionTimeout: 60_000,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 10_000,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    trustProxy: options.trustProxy?.length ? trusted : false,
    // Bitrix24 accepts any case of a method name and a trailing slash.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: true, useDefaults: true } },
  });
  capConnectionsPerAddress(app.server, limits.connectionsPerIp, trusted);
  app.decorate(
    'ctx',
    createContext(options.db, options.baseDomain ?? 'localhost', options.now ?? Date.now, options.limits, options.shared),
  );

  // External plugins, then app plugins, then routes.
  batchAnswers(app);
  await securityHeaders(app);
  await app.register(errors);
  await app.register(bodyParsers);
  await app.register(tenancy);
  await app.register(sharedOutage);
  await app.register(healthRoutes);
  await app.register(oauthRoutes);
  await app.register(restRoutes);
  await app.register(pullRoutes);
  await app.register(browserRoutes);
  return app;
}

/**
 * What a browser signs in through: the pages, the network's sign-in API, QR approval, app
 * authorization and single sign-on, the routes that keep a session or state in cookies. Cookies
 * are parsed only for them: REST, OAuth's token endpoints and Push & Pull take credentials in the
 * request, and parsing and answering cookies on each of their calls cost REST for nothing.
 */
async function browserRoutes(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  await app.register(appAuthorizeRoutes);
  await app.register(networkRoutes);
  await app.register(qrRoutes);
  await app.register(webPages);
  await app.register(ssoRoutes);
}
