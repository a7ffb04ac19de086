import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildApp } from '../src/app.ts';
import { TrustedAddressError, trustedAddresses } from '../src/http/connectionCap.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import { startTestPortal } from './harness.ts';

/** A TCP connection to the portal that sends nothing; `closed` settles when the server closes it. */
async function idleConnection(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Whether `closed` settles within `ms`. */
const closesWithin = (closed: Promise<void>, ms: number) =>
  Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('TCP connections per client address', () => {
  test('past the limit a new connection from the same address is closed when accepted; one that closes makes room', async () => {
    const portal = await startTestPortal({ limits: { connectionsPerIp: 3 } });
    const held: Socket[] = [];
    try {
      const first = await Promise.all([1, 2, 3].map(() => idleConnection(portal.port)));
      held.push(...first.map((c) => c.socket));
      const fourth = await idleConnection(portal.port);
      held.push(fourth.socket);
      assert.equal(await closesWithin(fourth.closed, 2_000), true, 'the fourth is closed');
      for (const { closed } of first) assert.equal(await closesWithin(closed, 100), false, 'the three held stay open');

      first[0]?.socket.destroy();
      await first[0]?.closed;
      // The server hears the close a moment after the client: ask until a connection is let in.
      let status = 0;
      for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
        status = await fetch(`http://127.0.0.1:${portal.port}/healthz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(status, 200);
    } finally {
      for (const socket of held) socket.destroy();
      await portal.close();
    }
  });

  test("a trusted balancer's connections are not counted: it carries many clients", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-cap-'));
    const db = await openDatabase(dir);
    await seedDemo(db, Date.now());
    const app = await buildApp({ db, limits: { connectionsPerIp: 2 }, trustProxy: ['127.0.0.0/8'] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const held: Socket[] = [];
    after(async () => {
      for (const socket of held) socket.destroy();
      await app.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const connections = await Promise.all([1, 2, 3, 4, 5].map(() => idleConnection(port)));
    held.push(...connections.map((c) => c.socket));
    for (const { closed } of connections) assert.equal(await closesWithin(closed, 100), false);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  });

  test('--trust-proxy takes addresses, CIDR ranges, netmasks and proxy-addr names, and says which entry it cannot read', () => {
    const trusted = trustedAddresses(['10.0.0.2', '192.168.0.0/16', '172.16.0.0/255.240.0.0', '2001:db8::/32', 'loopback']);
    assert.equal(trusted('10.0.0.2', 0), true);
    assert.equal(trusted('::ffff:10.0.0.2', 0), true, 'the balancer seen on a dual-stack socket');
    assert.equal(trusted('10.0.0.3', 0), false);
    assert.equal(trusted('192.168.44.1', 0), true);
    assert.equal(trusted('172.31.0.9', 0), true);
    assert.equal(trusted('172.32.0.9', 0), false);
    assert.equal(trusted('2001:db8::7', 0), true);
    assert.equal(trusted('127.0.0.1', 0), true);
    assert.equal(trusted('::1', 0), true);
    for (const bad of ['balancer.internal', '10.0.0.0/33', '0.0.0.0/0', '10.0.0.0/8/1', '10.0.0.0/x', '']) {
      assert.throws(
        () => trustedAddresses([bad]),
        (error: unknown) => error instanceof TrustedAddressError && error.message.includes(`"${bad}"`),
      );
    }
  });
});
