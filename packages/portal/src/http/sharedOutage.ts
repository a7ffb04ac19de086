import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * What an instance does when its shared state (Redis, `serve --redis`) goes away and comes back.
 * Away, it keeps serving: REST budgets let requests through, credential throttles count in this
 * process, and events committed here still reach the sockets held here; only other instances'
 * events wait. Back, every connection here is sent what it missed, read from the event log: the
 * sockets stay open, so an outage costs no reconnection storm.
 */
async function sharedOutage(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const stop = ctx.shared.onAvailability((available) => {
    if (!available) {
      app.log.warn(
        'Redis is unreachable: REST budgets are not enforced and sign-in throttles count per instance until it is back; realtime events from other instances wait',
      );
      return;
    }
    app.log.info('Redis is reachable again: realtime connections catch up from the event log');
    ctx.realtime.catchUpAll().catch((err: unknown) => app.log.error({ err }, 'realtime catch-up after Redis came back failed'));
  });
  app.addHook('onClose', async () => stop());
}

export default fp(sharedOutage, { name: 'shared-outage' });
