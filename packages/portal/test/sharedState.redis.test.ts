import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SSO_DISCOVER_PATH } from '@multidesk/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { totpCode } from '../src/auth/totp.ts';
import type { Limits } from '../src/http/context.ts';
import { openRedisSharedState, RedisOpenError } from '../src/shared/redisSharedState.ts';
import type { SharedState } from '../src/shared/sharedState.ts';
import { openDatabase } from '../src/store/database.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { imUser } from './imClient.ts';
import { commandsOf, PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { createQr, decide, PASSWORD, poll, signedInBrowser } from './qrClient.ts';
import { testRedis } from './redisServer.ts';
import { passwordAttempt, postJson } from './signIn.ts';
import { call, webhookFor } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

const redis = testRedis();
// Five requests, then one back every 100 s: nothing drains while a test runs unless the clock is moved.
const restLimits = { restBurst: 5, restDrainPerSecond: 0.01 };

/** Two instances over one SQLite file and one Redis, as two processes behind a balancer would be. */
async function twoInstances(
  space: string,
  limits: Partial<Limits>,
): Promise<{ a: TestPortal; b: FastifyInstance; bUrl: (portal: string) => string; close(): Promise<void> }> {
  const sharedA: SharedState = await redis.open(space);
  const sharedB: SharedState = await redis.open(space);
  const a = await startTestPortal({ limits, shared: sharedA });
  const dbB = await openDatabase(a.dataDir);
  const b = await buildApp({ db: dbB, now: a.clock.now, limits, shared: sharedB });
  await b.listen({ host: '127.0.0.1', port: 0 });
  const address = b.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    a,
    b,
    bUrl: (portal) => `http://${portal}.localhost:${port}`,
    close: async () => {
      await b.close();
      await dbB.destroy();
      await a.close();
      await sharedA.close();
      await sharedB.close();
    },
  };
}

describe('instances sharing one Redis', { ...(redis.skip ? { skip: redis.skip } : {}) }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    pair = await twoInstances('rest', restLimits);
  });
  after(() => pair.close());

  /** The webhook's base address on instance A and on instance B. */
  async function hookOnBoth(portalName: string, email: string): Promise<{ onA: string; onB: string }> {
    const hook = await webhookFor(pair.a, portalName, email, ['user']);
    const path = `/rest/${hook.memberId}/${hook.secret}`;
    return { onA: `${pair.a.url(portalName)}${path}`, onB: `${pair.bUrl(portalName)}${path}` };
  }

  test('a REST budget spent through instance A holds on instance B, and other users keep theirs', async () => {
    const anna = await hookOnBoth('acme', 'anna@example.com');
    const ben = await hookOnBoth('acme', 'ben@example.com');
    for (let i = 0; i < 3; i++) assert.equal((await call(`${anna.onA}/server.time`)).status, 200, `A, request ${i + 1}`);
    for (let i = 0; i < 2; i++) assert.equal((await call(`${anna.onB}/server.time`)).status, 200, `B, request ${i + 1}`);
    const refused = await call(`${anna.onB}/server.time`);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error, 'QUERY_LIMIT_EXCEEDED');
    assert.equal((await call(`${anna.onA}/server.time`)).status, 503);
    assert.equal((await call(`${ben.onB}/server.time`)).status, 200);
  });

  test('requests racing on both instances get exactly the burst between them', async () => {
    const hook = await hookOnBoth('globex', 'ben@example.com');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(`${i % 2 === 0 ? hook.onA : hook.onB}/server.time`).then((r) => r.status)),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 5);
    assert.equal(statuses.filter((s) => s === 503).length, 15);
  });

  test('the shared bucket drains with time: one request back after 100 s, on either instance', async () => {
    const hook = await hookOnBoth('acme', 'olivia@example.com');
    for (let i = 0; i < 5; i++) assert.equal((await call(`${hook.onA}/server.time`)).status, 200);
    assert.equal((await call(`${hook.onB}/server.time`)).status, 503);
    pair.a.clock.advance(150_000);
    assert.equal((await call(`${hook.onB}/server.time`)).status, 200);
    assert.equal((await call(`${hook.onA}/server.time`)).status, 503);
  });
});

describe('realtime across instances sharing one Redis', { ...(redis.skip ? { skip: redis.skip } : {}) }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    pair = await twoInstances('realtime', { restBurst: Number.POSITIVE_INFINITY });
  });
  after(() => pair.close());

  test('a message posted through instance A reaches the Pull socket its recipient holds on instance B, once and in order', async () => {
    const anna = await imUser(pair.a, 'acme', 'anna@example.com');
    const ben = await imUser(pair.a, 'acme', 'ben@example.com');
    const onB = await PullTestClient.open(pullUrl(await pullConfig({ base: pair.bUrl('acme'), token: ben.token })));
    try {
      for (const text of ['one', 'two', 'three']) await anna.result('im.message.add', { DIALOG_ID: ben.id, MESSAGE: text });
      const got = await onB.take(3);
      assert.deepEqual(commandsOf(got), ['im/message', 'im/message', 'im/message']);
      assert.deepEqual(
        got.map((m) => (m.body.params as { message: { text: string } }).message.text),
        ['one', 'two', 'three'],
      );
      assert.deepEqual(await onB.quiet(), [], 'each event once');
    } finally {
      onB.close();
    }
  });

  test('sockets on both instances get the event, each once', async () => {
    const anna = await imUser(pair.a, 'acme', 'anna@example.com');
    const olivia = await imUser(pair.a, 'acme', 'olivia@example.com');
    const config = await pullConfig({ base: pair.bUrl('acme'), token: olivia.token });
    const onA = await PullTestClient.open(pullUrl(await pullConfig({ base: pair.a.url('acme'), token: olivia.token })));
    const onB = await PullTestClient.open(pullUrl(config));
    try {
      await anna.result('im.message.add', { DIALOG_ID: olivia.id, MESSAGE: 'to both' });
      for (const socket of [onA, onB]) {
        assert.deepEqual(commandsOf([await socket.next()]), ['im/message']);
        assert.deepEqual(await socket.quiet(), []);
      }
    } finally {
      onA.close();
      onB.close();
    }
  });
});

describe('credential throttles across instances sharing one Redis', { ...(redis.skip ? { skip: redis.skip } : {}) }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    pair = await twoInstances('throttles', { failuresPerLogin: 4, failuresPerIp: 1000 });
  });
  after(() => pair.close());

  const login = (base: string, password: string) => passwordAttempt(base, 'marcus@example.com', password, 'Guesser');

  test('wrong passwords counted on instance A hold on instance B, guesses raced on both included, and a right one resets them', async () => {
    const onA = pair.a.url('acme');
    const onB = pair.bUrl('acme');
    assert.equal((await login(onA, 'wrong-1')).status, 401);
    const raced = await Promise.all([login(onA, 'wrong-2'), login(onB, 'wrong-3'), login(onA, 'wrong-4'), login(onB, 'wrong-5')]);
    assert.deepEqual(raced.map((r) => r.status).sort(), [401, 401, 401, 429], 'four checked in all, whichever instance');
    const refused = await login(onB, 'multidesk-demo');
    assert.equal(refused.status, 429, 'spent on A and B together: even the right password waits');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    pair.a.clock.advance(16 * 60_000);
    assert.equal((await login(onB, 'multidesk-demo')).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await login(onA, `again-${i}`)).status, 401, 'the success forgot the old failures');
  });

  test('single sign-on look-ups per IP are one budget of 20 a minute over both instances', async () => {
    const discover = (base: string) => postJson(`${base}${SSO_DISCOVER_PATH}`, { email: 'someone@example.com' });
    const onB = pair.bUrl('acme').replace('acme.', '');
    for (let i = 0; i < 20; i++) assert.equal((await discover(i % 2 === 0 ? pair.a.url() : onB)).status, 200, `look-up ${i + 1}`);
    assert.equal((await discover(onB)).status, 429);
    assert.equal((await discover(pair.a.url())).status, 429);
  });
});

describe('QR sign-in across instances sharing one Redis', { ...(redis.skip ? { skip: redis.skip } : {}) }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    pair = await twoInstances('qr', {});
  });
  after(() => pair.close());

  test('a long poll held by instance B answers as soon as the phone approves through instance A', async () => {
    const qr = await createQr(pair.a, 'acme');
    const started = Date.now();
    const waiting = poll({ ...qr, site: pair.bUrl('acme') }, 20);
    for (let i = 0; i < 100 && pair.b.ctx.qrWaiters.size === 0; i++) await sleep(20);
    assert.equal(pair.b.ctx.qrWaiters.size, 1, 'the poll is parked on B');
    const phone = await signedInBrowser(pair.a, 'acme', 'anna@example.com');
    assert.equal((await decide(phone, qr.id, 'approve')).status, 200);
    const answer = await waiting;
    assert.equal(answer.body.status, 'approved');
    assert.ok(Date.now() - started < 10_000, 'woken, not ended by its 20 s deadline');
    assert.equal(pair.b.ctx.qrWaiters.size, 0);
  });
});

describe('web sign-in across instances sharing one Redis', { ...(redis.skip ? { skip: redis.skip } : {}) }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    pair = await twoInstances('pending', {});
  });
  after(() => pair.close());

  test('the password accepted by instance A and the code posted to instance B make one sign-in', async () => {
    const secret = pair.a.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
    const onA = new Browser(pair.a.url('initech'));
    const first = await onA.post('/login', { login: 'chen@example.com', password: PASSWORD });
    assert.equal(first.location, '/login/code');
    // The same browser, its next request answered by the other instance.
    const onB = new Browser(pair.bUrl('initech'));
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    assert.equal((await onB.get('/login/code')).status, 200, 'B knows the pending step');
    const right = totpCode(secret, pair.a.clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    assert.equal((await onB.post('/login/code', { code: wrong })).status, 401);
    assert.equal((await onB.post('/login/code', { code: right })).location, '/');
    assert.equal((await onB.get('/')).status, 200);
  });
});

describe('a wrong --redis', () => {
  test('a URL that is not redis:// is refused with one line', async () => {
    for (const bad of ['localhost:6379', 'http://localhost:6379', 'not a url']) {
      await assert.rejects(openRedisSharedState(bad), (error: unknown) => {
        assert.ok(error instanceof RedisOpenError);
        assert.match(error.message, /^--redis takes a redis:\/\/host:port URL, not "/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
  });

  test('a server that does not answer is named, in one line', async () => {
    await assert.rejects(openRedisSharedState('redis://127.0.0.1:1'), (error: unknown) => {
      assert.ok(error instanceof RedisOpenError);
      assert.match(error.message, /^cannot reach Redis at 127\.0\.0\.1:1: /);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });
});
