import type { FastifyInstance } from 'fastify';
import { buildApp, LISTEN_BACKLOG } from './app.ts';
import type { Limits } from './http/context.ts';
import { openRedisSharedState } from './shared/redisSharedState.ts';
import { openDatabase } from './store/database.ts';

export interface ServeOptions {
  /** The SQLite folder, or a PostgreSQL URL (`openDatabase`). */
  database: string;
  /** `redis://host:6379`: what instances share lives there; absent, in this process. */
  redis?: string;
  host: string;
  port: number;
  baseDomain: string;
  logLevel: string;
  limits?: Partial<Limits>;
  /** The load balancers whose X-Forwarded-* headers are believed (`AppOptions.trustProxy`). */
  trustProxy?: string[];
}

/**
 * Starts the portal server and closes it gracefully on SIGINT/SIGTERM: Pull sockets are told
 * `server_restart` (1001), held long polls are answered, requests in flight finish.
 */
export async function serve(options: ServeOptions): Promise<FastifyInstance> {
  const shared = options.redis === undefined ? undefined : await openRedisSharedState(options.redis);
  const db = await openDatabase(options.database).catch(async (error: unknown) => {
    await shared?.close();
    throw error;
  });
  const app = await buildApp({
    db,
    baseDomain: options.baseDomain,
    logger: { level: options.logLevel },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(shared ? { shared } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  });
  app.addHook('onClose', async () => {
    await db.destroy();
    await shared?.close();
  });
  let closing = false;
  // Node closes the connections that are idle when closing starts; one busy then would stay open
  // after its answer, kept alive by the client, and hold the exit until its keep-alive ran out.
  // A callback hook: an async one would cost every answer a promise and a turn of the microtask queue.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  await app.listen({ host: options.host, port: options.port, backlog: LISTEN_BACKLOG });
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return app;
}
