import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';

/** What `/readyz` checks; a name in `failing` tells the operator where to look. */
type Dependency = 'database' | 'redis';

const Live = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({ status: Type.Literal('ready') });
const Unavailable = Type.Object({
  status: Type.Literal('unavailable'),
  failing: Type.Array(Type.Union([Type.Literal('database'), Type.Literal('redis')])),
});

/** Resolves true when `check` succeeds within `ms`; a failure or a hang is false, never a wait longer than `ms`. */
async function within(check: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes for load balancers and orchestrators, on any Host (tenancy lets `anyHost` routes through):
 * `/healthz` says the process answers; `/readyz` says it can serve, i.e. the database answers a
 * trivial query and, with `serve --redis`, Redis answers PING, each within
 * `limits.readyCheckTimeoutMs`. Probes come every few seconds from every balancer, so they log
 * only warnings.
 */
export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const probe = { logLevel: 'warn', config: { anyHost: true } } as const;

  typed.get('/healthz', { ...probe, schema: { response: { 200: Live } } }, async () => ({ status: 'ok' as const }));

  typed.get('/readyz', { ...probe, schema: { response: { 200: Ready, 503: Unavailable } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const ms = ctx.limits.readyCheckTimeoutMs;
    const checks: [Dependency, () => Promise<unknown>][] = [['database', () => sql`select 1`.execute(ctx.db)]];
    if (ctx.shared.kind === 'redis') checks.push(['redis', () => ctx.shared.ping()]);
    const results = await Promise.all(checks.map(([, check]) => within(check, ms)));
    const failing = checks.filter((_, i) => !results[i]).map(([name]) => name);
    if (failing.length === 0) return { status: 'ready' as const };
    request.log.warn({ failing }, 'not ready');
    return reply.code(503).send({ status: 'unavailable' as const, failing });
  });
}
