import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { createWebhookChecked } from '../src/admin/directory.ts';
import { buildApp } from '../src/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { type Db, openDatabase } from '../src/store/database.ts';
import { postForm } from './signIn.ts';
import { call, signInAs } from './tokens.ts';

const SCRIPT = new URL('../../../scripts/test-postgres.sh', import.meta.url).pathname;
const run = promisify(execFile);
const installed = spawnSync('sh', [SCRIPT, 'check']).status === 0;
const skip = installed || process.env.MULTIDESK_REQUIRE_POSTGRES === '1' ? false : 'PostgreSQL 15+ is not installed';

/** One portal instance in this process, on the database at `url`. */
async function instance(url: string): Promise<{ app: FastifyInstance; db: Db; url(portal: string): string }> {
  const db = await openDatabase(url);
  const app = await buildApp({ db, limits: { restBurst: Number.POSITIVE_INFINITY } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, db, url: (portal) => `http://${portal}.localhost:${port}` };
}

/**
 * A private PostgreSQL server that the tests stop and start again (the shared one of
 * `MULTIDESK_TEST_POSTGRES` is left alone), with two portal instances on it.
 */
describe('PostgreSQL stopping and coming back', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-pg-faults-'));
  let url: string;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  let webhook: string;

  before(async () => {
    url = (await run('sh', [SCRIPT, 'start', dir])).stdout.trim();
    a = await instance(url);
    b = await instance(url);
    await seedDemo(a.db, Date.now());
    const hook = await createWebhookChecked(a.db, 'acme', 'anna@example.com', ['user'], Date.now());
    webhook = `${a.url('acme')}/rest/${hook.memberId}/${hook.secret}`;
  });
  after(async () => {
    for (const one of [a, b]) {
      await one?.app.close();
      await one?.db.destroy();
    }
    await run('sh', [SCRIPT, 'stop', dir]);
  });

  /** PostgreSQL back on its folder, and a request that goes through once the pool has connected again. */
  const startAgain = async () => {
    await run('sh', [SCRIPT, 'start', dir]);
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await call(`${webhook}/user.current`)).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'the pool connects again by itself');
  };

  test('a request in flight when PostgreSQL stops, and those while it is down, get 503 SERVICE_UNAVAILABLE; the instance serves again once it is back', async () => {
    assert.equal((await call(`${webhook}/user.current`)).status, 200);
    // The portal's row is locked by another session: the next request waits in PostgreSQL, in flight.
    const locker = new pg.Client({ connectionString: url });
    locker.on('error', () => {});
    await locker.connect();
    await locker.query('begin; lock table portals in access exclusive mode');
    let answered = false;
    const inFlight = call(`${webhook}/user.current`).finally(() => {
      answered = true;
    });
    await sleep(300);
    assert.equal(answered, false, 'the request waits for the lock');
    await run('sh', [SCRIPT, 'halt', dir]);
    await locker.end().catch(() => {});

    // A fast stop rolls the lock's transaction back before it ends the waiting backend, which may
    // be granted the lock meanwhile and finish: then the request is answered (one CI run in six).
    // Cut off, it is a 503 that says to come back, never a 500 or a hang.
    const cut = await inFlight;
    assert.ok(cut.status === 503 || (cut.status === 200 && cut.body.result?.EMAIL === 'anna@example.com'), JSON.stringify(cut.body));
    if (cut.status === 503) {
      assert.equal(cut.body.error, 'SERVICE_UNAVAILABLE');
      assert.match(cut.body.error_description, /unavailable/);
      assert.equal(cut.headers.get('retry-after'), '5');
    }
    const whileDown = await call(`${webhook}/user.current`);
    assert.equal(whileDown.status, 503);
    assert.equal(whileDown.body.error, 'SERVICE_UNAVAILABLE');
    const token = await postForm(`${a.url('acme')}/oauth/token/`, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(40) });
    assert.equal(token.status, 503, 'the OAuth endpoints too');
    assert.equal(token.body.error, 'SERVICE_UNAVAILABLE');

    await startAgain();
    assert.equal(
      (await call(`${b.url('acme')}/rest/user.current?auth=${(await signInAs(b, 'acme', 'ben@example.com')).access_token}`)).status,
      200,
    );
  });

  test('a connection a transaction holds between its statements when PostgreSQL stops fails that transaction, not the process', async () => {
    // Regression: pg reports the server's goodbye on a connection taken from the pool and not in a
    // query as an 'error' event of that connection, which no one listened to: an uncaught exception.
    let resume = () => {};
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let began = () => {};
    const begun = new Promise<void>((resolve) => {
      began = resolve;
    });
    const held = a.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      began();
      await paused;
      await sql`select 1`.execute(trx);
    });
    await begun;
    await run('sh', [SCRIPT, 'halt', dir]);
    // The goodbye reaches the held connection while it waits for nothing.
    await sleep(300);
    resume();
    await assert.rejects(held);
    await startAgain();
  });

  test('a token revoked through instance A is refused by instance B at once: nothing is cached from PostgreSQL', async () => {
    const tokens = await signInAs(a, 'acme', 'olivia@example.com');
    const onB = () => call(`${b.url('acme')}/rest/user.current?auth=${tokens.access_token}`);
    assert.equal((await onB()).status, 200);
    assert.equal((await onB()).status, 200, 'read twice: a cache, if there were one, would hold it now');
    assert.equal((await postForm(`${a.url('acme')}/oauth/revoke`, { token: tokens.refresh_token })).status, 200);
    const refused = await onB();
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_token');
  });
});
