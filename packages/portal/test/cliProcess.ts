import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The portal's command line, for tests that run `serve` or an admin command as production does. */
export const PORTAL_CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** A loopback port nobody listens on now (a child process binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}
