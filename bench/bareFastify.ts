/**
 * bench/rest.ts's baseline: a bare Fastify process with one JSON route and no logger, as small as a
 * Fastify server gets. `node bench/bareFastify.ts --port N`; stops on SIGTERM.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';

const { values: args } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const app = Fastify({ logger: false });
app.get('/ping', async () => ({ result: 'pong' }));
await app.listen({ host: '127.0.0.1', port: Number(args.port) });
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
