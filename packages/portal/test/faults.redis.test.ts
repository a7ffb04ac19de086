import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { PullMessage } from '@multidesk/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { openRedisSharedState, reconnectDelay } from '../src/shared/redisSharedState.ts';
import type { SharedState } from '../src/shared/sharedState.ts';
import { type Db, openDatabase } from '../src/store/database.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { imUser } from './imClient.ts';
import { commandsOf, PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { passwordAttempt } from './signIn.ts';
import { call, webhookFor } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

const SCRIPT = new URL('../../../scripts/test-redis.sh', import.meta.url).pathname;
const run = promisify(execFile);
const installed = spawnSync('sh', [SCRIPT, 'check']).status === 0;
const skip = installed || process.env.MULTIDESK_REQUIRE_REDIS === '1' ? false : 'Redis 7 is not installed';

const textsOf = (messages: readonly PullMessage[]) => messages.map((m) => (m.body.params as { message: { text: string } }).message.text);

const limits = { restBurst: 3, restDrainPerSecond: 0.01, failuresPerLogin: 3, failuresPerIp: 1000 };

/**
 * A private Redis server that the tests stop and start again on the same port (the shared one of
 * `MULTIDESK_TEST_REDIS` is left alone), and two instances over one SQLite file that share it.
 * Instance B's log lines are kept.
 */
test('the waits between tries to reach Redis again double from 50 ms and stay at about a second (ioredis 6 goes up to 5 s)', () => {
  const waits = Array.from({ length: 12 }, (_, i) => reconnectDelay(i + 1));
  for (const [i, wait] of waits.entries()) {
    const doubled = Math.min(50 * 2 ** i, 1_000);
    assert.ok(wait >= doubled && wait < doubled + 200, `try ${i + 1}: ${wait} ms`);
  }
});

describe('Redis going away and coming back', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-redis-faults-'));
  let sharedA: SharedState;
  let sharedB: SharedState;
  let a: TestPortal;
  let b: FastifyInstance;
  let dbB: Db;
  let bUrl: (portal: string) => string;
  const logB: { level: number; msg: string }[] = [];

  const stopRedis = () => run('sh', [SCRIPT, 'halt', dir]);
  const startRedis = () => run('sh', [SCRIPT, 'start', dir]);

  before(async () => {
    const url = (await startRedis()).stdout.trim();
    sharedA = await openRedisSharedState(url);
    sharedB = await openRedisSharedState(url);
    a = await startTestPortal({ limits, shared: sharedA });
    dbB = await openDatabase(a.dataDir);
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logB.push(JSON.parse(line));
        done();
      },
    });
    b = await buildApp({ db: dbB, now: a.clock.now, limits, shared: sharedB, logger: { level: 'info', stream } });
    await b.listen({ host: '127.0.0.1', port: 0 });
    const address = b.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    bUrl = (portal) => `http://${portal}.localhost:${port}`;
  });
  after(async () => {
    await b?.close();
    await dbB?.destroy();
    await a?.close();
    await sharedA?.close();
    await sharedB?.close();
    await run('sh', [SCRIPT, 'stop', dir]);
  });

  /** Until `check` holds, for at most `ms`. */
  async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await check()) return true;
    return false;
  }

  test('with Redis away REST keeps answering at once, unmetered, with a warning logged; the budget holds again once it is back', async () => {
    const hook = await webhookFor(a, 'acme', 'anna@example.com', ['user']);
    const onB = `${bUrl('acme')}/rest/${hook.memberId}/${hook.secret}/server.time`;
    await stopRedis();
    assert.ok(await eventually(() => logB.some((line) => line.level === 40 && /Redis is unreachable/.test(line.msg))), 'a warning');
    const started = Date.now();
    for (let i = 0; i < 6; i++) assert.equal((await call(onB)).status, 200, `request ${i + 1}, over the burst of 3`);
    assert.ok(Date.now() - started < 3_000, 'nothing waited for Redis');

    await startRedis();
    assert.ok(await eventually(() => logB.some((line) => /Redis is reachable again/.test(line.msg))), 'back, and said so');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(onB)).status);
    assert.deepEqual(statuses, [200, 200, 200, 503]);
  });

  test('with Redis away wrong passwords are still throttled, in each instance, and a step kept in Redis answers 503', async () => {
    const login = (base: string, password: string) => passwordAttempt(base, 'marcus@example.com', password, 'Guesser');
    await stopRedis();
    try {
      for (let i = 0; i < 3; i++) assert.equal((await login(bUrl('acme'), `wrong-${i}`)).status, 401);
      const refused = await login(bUrl('acme'), 'multidesk-demo');
      assert.equal(refused.status, 429, 'the fourth guess waits, Redis or not');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      // A second-factor step is kept in Redis: without it the password step cannot go on.
      const page = await new Browser(bUrl('initech')).post('/login', { login: 'chen@example.com', password: 'multidesk-demo' });
      assert.equal(page.status, 503, 'try again shortly, not a 500');
    } finally {
      await startRedis();
    }
  });

  test('a Pull socket held on B is sent what A committed while Redis was away once it is back, without reconnecting', async () => {
    const anna = await imUser(a, 'acme', 'anna@example.com');
    const ben = await imUser(a, 'acme', 'ben@example.com');
    // The previous test's outage is over on both instances.
    assert.ok(
      await eventually(() =>
        sharedA.ping().then(
          () => true,
          () => false,
        ),
      ),
    );
    const onB = await PullTestClient.open(pullUrl(await pullConfig({ base: bUrl('acme'), token: ben.token })));
    try {
      await stopRedis();
      await anna.result('im.message.add', { DIALOG_ID: ben.id, MESSAGE: 'while Redis was away' });
      assert.deepEqual(await onB.quiet(300), [], 'no word reaches B meanwhile');
      await startRedis();
      const caughtUp = await onB.take(1, 15_000);
      assert.deepEqual(commandsOf(caughtUp), ['im/message']);
      assert.deepEqual(textsOf(caughtUp), ['while Redis was away']);
      await anna.result('im.message.add', { DIALOG_ID: ben.id, MESSAGE: 'and after' });
      assert.deepEqual(textsOf(await onB.take(1)), ['and after'], 'fan-out works again');
      assert.deepEqual(await onB.quiet(), [], 'each once');
    } finally {
      onB.close();
    }
  });

  test('after a long outage the instances are back within about a second of Redis: a message A commits then reaches B soon', async () => {
    const anna = await imUser(a, 'acme', 'anna@example.com');
    const ben = await imUser(a, 'acme', 'ben@example.com');
    const back = () =>
      Promise.all([sharedA.ping(), sharedB.ping()]).then(
        () => true,
        () => false,
      );
    assert.ok(await eventually(back));
    const onB = await PullTestClient.open(pullUrl(await pullConfig({ base: bUrl('acme'), token: ben.token })));
    try {
      // Eight seconds away. ioredis 6's own waits (doubling from 50 ms up to 5 s, plus up to 200 ms)
      // put its tries at about 3.8, 7.1 and 12.2 s into the outage: back at about 8.5 s, Redis
      // waited seconds for the next one. Now the tries are at most 1.2 s apart.
      await stopRedis();
      await sleep(8_000);
      await startRedis();
      await anna.result('im.message.add', { DIALOG_ID: ben.id, MESSAGE: 'right after a long outage' });
      assert.deepEqual(textsOf(await onB.take(1, 2_500)), ['right after a long outage']);
    } finally {
      onB.close();
    }
  });
});
