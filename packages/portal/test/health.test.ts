import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import type { Limits } from '../src/http/context.ts';
import { memorySharedState, type SharedState } from '../src/shared/sharedState.ts';
import { type Db, openDatabase } from '../src/store/database.ts';

/** An app over a fresh SQLite file, its log lines kept, probed with `inject` under any Host. */
async function probedApp(
  options: { shared?: SharedState; limits?: Partial<Limits> } = {},
): Promise<{ app: FastifyInstance; db: Db; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-health-'));
  const db = await openDatabase(dir);
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await buildApp({ db, logger: { level: 'info', stream }, ...options });
  after(async () => {
    await app.close();
    await db.destroy().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, db, lines };
}

const probe = (app: FastifyInstance, url: string, host: string) => app.inject({ method: 'GET', url, headers: { host } });

describe('health probes', () => {
  test('/healthz and /readyz answer on any Host: the network, an unknown portal, a malformed or bare one', async () => {
    const { app } = await probedApp();
    for (const host of ['localhost:8024', 'nobody.localhost:8024', 'balancer.internal', '10.0.0.7:8024', 'not a host']) {
      const live = await probe(app, '/healthz', host);
      assert.equal(live.statusCode, 200, host);
      assert.deepEqual(live.json(), { status: 'ok' });
      const ready = await probe(app, '/readyz', host);
      assert.equal(ready.statusCode, 200, host);
      assert.deepEqual(ready.json(), { status: 'ready' });
    }
    assert.equal((await probe(app, '/rest/server.time', 'nobody.localhost:8024')).statusCode, 404, 'other paths still need a portal');
  });

  test('probes leave no info line in the log; other requests still do', async () => {
    const { app, lines } = await probedApp();
    for (let i = 0; i < 5; i++) {
      await probe(app, '/healthz', 'localhost');
      await probe(app, '/readyz', 'localhost');
    }
    assert.equal(lines.length, 0, lines.join(''));
    await probe(app, '/no-such-page', 'localhost');
    assert.ok(lines.some((line) => line.includes('/no-such-page')));
  });

  test('/readyz answers 503 naming the database once it cannot be reached, while /healthz stays 200', async () => {
    const { app, db, lines } = await probedApp();
    await db.destroy();
    const ready = await probe(app, '/readyz', 'localhost');
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable', failing: ['database'] });
    assert.equal(ready.headers['cache-control'], 'no-store');
    assert.match(lines.join(''), /"level":40.*not ready/, 'a failing probe is a warning');
    assert.equal((await probe(app, '/healthz', 'localhost')).statusCode, 200);
  });

  test('/readyz asks shared state only when it is Redis, and a hanging or failing one is 503 within the timeout', async () => {
    const hanging: SharedState = { ...memorySharedState(), kind: 'redis', ping: () => new Promise(() => {}) };
    const { app } = await probedApp({ shared: hanging, limits: { readyCheckTimeoutMs: 200 } });
    const started = Date.now();
    const ready = await probe(app, '/readyz', 'localhost');
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable', failing: ['redis'] });
    assert.ok(Date.now() - started < 1500, 'the hang is cut off by the timeout');

    const refusing: SharedState = { ...memorySharedState(), kind: 'redis', ping: () => Promise.reject(new Error('ECONNREFUSED')) };
    const second = await probedApp({ shared: refusing });
    assert.deepEqual((await probe(second.app, '/readyz', 'localhost')).json(), { status: 'unavailable', failing: ['redis'] });

    const memory: SharedState = { ...memorySharedState(), ping: () => Promise.reject(new Error('never asked')) };
    const third = await probedApp({ shared: memory });
    assert.equal((await probe(third.app, '/readyz', 'localhost')).statusCode, 200);
  });
});
