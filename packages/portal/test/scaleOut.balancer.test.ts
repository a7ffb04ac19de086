import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { PullMessage } from '@multidesk/protocol';
import { Redis } from 'ioredis';
import { freePort, PORTAL_CLI } from './cliProcess.ts';
import { type Balancer, haproxySkip, startBalancer } from './haproxy.ts';
import { commandsOf, PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { testRedis } from './redisServer.ts';
import { postgresEngine } from './storeEngines.ts';
import { postJson, signInAs } from './tokens.ts';

// Ten requests per user, then one back every 100 s: nothing drains while the test runs.
const REST_LIMIT = '10:0.01';

const engine = postgresEngine();
const redis = testRedis();
const skip = haproxySkip ?? engine.skip ?? redis.skip;

/** `serve` in a process of its own, as production runs it; resolves once its /readyz says ready. */
interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

async function startInstance(name: string, database: string, redisUrl: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      PORTAL_CLI,
      'serve',
      '--port',
      String(port),
      '--database',
      database,
      '--redis',
      redisUrl,
      '--rest-limit',
      REST_LIMIT,
      '--trust-proxy',
      '127.0.0.1',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  // A test run that dies must not leave instances serving.
  process.once('exit', () => child.kill('SIGKILL'));
  const instance: Instance = {
    name,
    port,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
  for (let i = 0; i < 150 && child.exitCode === null; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (ready?.status === 200) return instance;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await instance.stop();
  throw new Error(`instance ${name} did not become ready: ${stderr.trim()}`);
}

/** A Pull socket, and which instance the balancer sent it to (its `x-served-by` on the upgrade). */
async function openThrough(url: string): Promise<{ client: PullTestClient; servedBy: string }> {
  const client = new PullTestClient(url);
  const servedBy = await new Promise<string>((resolve, reject) => {
    let server = '';
    client.socket.once('upgrade', (response) => {
      server = String(response.headers['x-served-by'] ?? '');
    });
    client.socket.once('open', () => resolve(server));
    client.socket.once('error', reject);
  });
  return { client, servedBy };
}

const textOf = (message: PullMessage) => (message.body.params as { message: { text: string } }).message.text;

describe('two portal processes behind HAProxy, sharing one PostgreSQL and one Redis', { skip: skip ?? false, timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof engine.create>> | undefined;
  let a: Instance | undefined;
  let b: Instance | undefined;
  let balancer: Balancer | undefined;
  let viaBalancer: (portal: string) => string;
  let direct: (instance: Instance | undefined, portal: string) => string;

  before(async () => {
    database = await engine.create();
    const seeded = spawnSync(process.execPath, [PORTAL_CLI, 'seed-demo', '--database', database.location], { encoding: 'utf8' });
    assert.equal(seeded.status, 0, seeded.stderr);
    // `serve` keeps its keys under the default prefix: a logical database of its own, emptied first,
    // keeps them from meeting an earlier run's (the REST buckets would still be full).
    const redisUrl = `${redis.url()}/${1 + Math.floor(Math.random() * 15)}`;
    const admin = new Redis(redisUrl);
    await admin.flushdb();
    admin.disconnect();
    a = await startInstance('a', database.location, redisUrl);
    b = await startInstance('b', database.location, redisUrl);
    balancer = await startBalancer(await freePort(), [a, b]);
    for (let i = 0; i < 50; i++) {
      if ((await balancer.status('a')) === 'UP' && (await balancer.status('b')) === 'UP') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await balancer.status('a'), 'UP', 'the health check on /readyz passes');
    assert.equal(await balancer.status('b'), 'UP');
    const balancerPort = balancer.port;
    viaBalancer = (portal) => `http://${portal}.localhost:${balancerPort}`;
    direct = (instance, portal) => `http://${portal}.localhost:${instance?.port}`;
  });

  after(async () => {
    await balancer?.close();
    await a?.stop();
    await b?.stop();
    await database?.remove();
    engine.close();
  });

  const signIn = (email: string) => signInAs({ url: viaBalancer }, 'acme', email);
  const post = (base: string, token: string, recipient: number, text: string) =>
    postJson(`${base}/rest/im.message.add`, { DIALOG_ID: recipient, MESSAGE: text, auth: token });

  test('a message posted straight to instance A reaches a Pull socket the balancer gave to instance B', async () => {
    const anna = await signIn('anna@example.com');
    const ben = await signIn('ben@example.com');
    // Draining A (as an operator would) sends every new connection to B.
    await balancer?.setState('a', 'drain');
    const onB = await openThrough(pullUrl(await pullConfig({ base: viaBalancer('acme'), token: ben.access_token })));
    await balancer?.setState('a', 'ready');
    try {
      assert.equal(onB.servedBy, 'b');
      const sent = await post(direct(a, 'acme'), anna.access_token, ben.user_id, 'posted on A');
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const got = await onB.client.next();
      assert.deepEqual(commandsOf([got]), ['im/message']);
      assert.equal(textOf(got), 'posted on A');
      assert.deepEqual(await onB.client.quiet(), [], 'once');
    } finally {
      onB.client.close();
    }
  });

  test('a REST budget spent on instance A holds on instance B and through the balancer', async () => {
    const olivia = await signIn('olivia@example.com');
    const time = (base: string) => postJson(`${base}/rest/server.time`, { auth: olivia.access_token });
    for (let i = 0; i < 6; i++) assert.equal((await time(direct(a, 'acme'))).status, 200, `A, request ${i + 1}`);
    for (let i = 0; i < 4; i++) assert.equal((await time(direct(b, 'acme'))).status, 200, `B, request ${i + 1}`);
    const refused = await time(direct(b, 'acme'));
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error, 'QUERY_LIMIT_EXCEEDED');
    assert.equal((await time(direct(a, 'acme'))).status, 503);
    assert.equal((await time(viaBalancer('acme'))).status, 503);
  });

  test('with instance A killed, a Pull socket it held reconnects through the balancer to B and resumes with nothing lost', async () => {
    const anna = await signIn('anna@example.com');
    const ben = await signIn('ben@example.com');
    const config = await pullConfig({ base: viaBalancer('acme'), token: ben.access_token });
    await balancer?.setState('b', 'drain');
    const onA = await openThrough(pullUrl(config));
    await balancer?.setState('b', 'ready');
    assert.equal(onA.servedBy, 'a');
    assert.equal((await post(viaBalancer('acme'), anna.access_token, ben.user_id, 'before')).status, 200);
    const seen = await onA.client.next();
    assert.equal(textOf(seen), 'before');

    a?.child.kill('SIGKILL');
    const closed = await onA.client.closed;
    assert.equal(closed.code, 1006, 'the connection broke: no close frame from a killed process');
    // Posted while the client is away, the first before the health check has noticed: HAProxy
    // retries a refused connection on B (`option redispatch`).
    for (const text of ['meanwhile 1', 'meanwhile 2', 'meanwhile 3']) {
      const sent = await post(viaBalancer('acme'), anna.access_token, ben.user_id, text);
      assert.equal(sent.status, 200, `${text}: ${JSON.stringify(sent.body)}`);
    }
    for (let i = 0; i < 30 && !(await balancer?.status('a'))?.startsWith('DOWN'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match((await balancer?.status('a')) ?? '', /^DOWN/, 'the health check took A out');

    const resumed = await openThrough(pullUrl(config, { mid: seen.mid }));
    try {
      assert.equal(resumed.servedBy, 'b');
      const missed = await resumed.client.take(3);
      assert.deepEqual(missed.map(textOf), ['meanwhile 1', 'meanwhile 2', 'meanwhile 3']);
      assert.deepEqual(
        missed.map((m) => BigInt(m.mid) - BigInt(seen.mid)),
        [1n, 2n, 3n],
        'the next seqs after the last one seen',
      );
      assert.equal((await post(viaBalancer('acme'), anna.access_token, ben.user_id, 'live again')).status, 200);
      assert.equal(textOf(await resumed.client.next()), 'live again');
      assert.deepEqual(await resumed.client.quiet(), [], 'nothing twice');
    } finally {
      resumed.client.close();
    }
  });
});
