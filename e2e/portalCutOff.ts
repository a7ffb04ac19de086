import type { TestPortal } from '../packages/portal/test/harness.ts';

/**
 * Makes one portal of an in-process test portal server unreachable: its requests lose their
 * connection (what a desktop meets when the portal's machine goes away), the server's other portals
 * answer as before. Returns what puts it back.
 */
export function cutOff(portal: TestPortal, host: string): () => void {
  const server = portal.app.server;
  const handlers = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (req.headers.host === host) return req.socket.destroy();
    for (const handler of handlers) handler.call(server, req, res);
  });
  return () => {
    server.removeAllListeners('request');
    for (const handler of handlers) server.on('request', handler);
  };
}
