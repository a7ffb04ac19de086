import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

/** Drops the connection of the first `count` requests whose URL has `part`; the others are served. Returns how many were dropped, and the undo. */
function dropFirst(part: string, count: number): { dropped(): number; restore(): void } {
  const server = portal.app.server;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  let dropped = 0;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (dropped < count && req.url?.includes(part)) {
      dropped++;
      req.socket.destroy();
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
  return {
    dropped: () => dropped,
    restore: () => {
      server.removeAllListeners('request');
      for (const handler of handlers) server.on('request', handler);
    },
  };
}

test('a counters read that fails is made again while the account is connected: the counts come right without a reconnection (regression: unread stayed 0)', async () => {
  const drop = dropFirst('im.counters.get', 2);
  const core = await startTestCore(new MemoryVault());
  try {
    const account = await signInAt(core, portal.port, 'acme');
    // The demo leaves anna 3 unread on acme.
    await until(
      () => core.unread.total(account.id) === 3,
      () => `${core.unread.total(account.id)} unread after ${drop.dropped()} dropped counters reads`,
      15_000,
    );
    assert.equal(drop.dropped(), 2, 'the first two reads failed');
  } finally {
    drop.restore();
    await core.close();
    core.removeProfile();
  }
});
