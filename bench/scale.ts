/**
 * Scale-out (issue 15): many Pull sockets spread by HAProxy over two portal instances that share
 * one PostgreSQL and one Redis; delivery latency to them, server memory per idle socket, and REST
 * throughput through the balancer with one and with two instances next to a single SQLite server.
 * Prints JSON, then one line a figure with its goal beside (it never asserts).
 *
 *   npx node bench/scale.ts [--connections 10000] [--users 200] [--batch 250] [--settle-seconds 10]
 *                           [--message-seconds 20] [--interval-ms 100] [--warmup-messages 20]
 *                           [--rest-rounds 3]
 *                           [--rest-seconds 5] [--rest-warmup-seconds 2] [--rest-connections 32]
 *                           [--server-core 0] [--load-core 1]
 *
 * PostgreSQL and Redis: the servers at MULTIDESK_TEST_POSTGRES / MULTIDESK_TEST_REDIS when set,
 * else private ones started (and stopped) by scripts/test-postgres.sh and scripts/test-redis.sh,
 * through the test suite's own helpers; the bench gets a new database and an emptied Redis logical
 * database. They are not pinned: the OS runs them on either core.
 *
 * Processes, so that no figure carries another side's cost:
 * - two portal instances, `node --max-semi-space-size=4 cli.ts serve --database <pg> --redis <redis>
 *   --rest-limit off --log-level warn --trust-proxy 127.0.0.1` (as README's "Run at scale" starts
 *   them), each a process of its own, both pinned to `--server-core` (two
 *   instances share one core here: the machine has two, and the other is the load's);
 * - HAProxy with deploy/haproxy.cfg (packages/portal/test/haproxy.ts, as the scale-out test runs
 *   it), pinned to the server core too. Its maxconn comes from the open-file limit, two descriptors
 *   a socket; when the sockets need more than one balancer holds (the limit here is 20,000, fixed:
 *   no CAP_SYS_RESOURCE to raise it), several HAProxy processes run side by side with the same
 *   configuration, as several balancers behind one DNS name would, and socket i goes to balancer
 *   i mod balancers. Messages and REST go through the first. Health checks keep the sample's
 *   timing (every 2 s, out after three failures), not the scale-out test's quick one: with 200 ms
 *   and two failures, a stall of a few seconds (an instance's /readyz waiting on its busy database
 *   pool) took both instances out and `shutdown-sessions` closed every socket;
 * - the load generator, bench/scaleClients.ts, pinned to `--load-core`, holding every client socket
 *   and sending the messages, so that a latency's two ends share one clock;
 * - for REST, autocannon on the load core, as in bench/rest.ts, and a SQLite `serve` (demo data)
 *   pinned to the server core, loaded directly.
 *
 * Users and sockets: `--users` members are added to acme (written to the store, each with a webhook
 * of scope `pull_channel`); the load generator gets each one's Pull address with `pull.config.get`
 * through its webhook, as the desktop does with a token. Creating 10,000 users would take longer
 * than the rest of the bench, so socket i belongs to user i mod users: 50 sockets a user at the
 * defaults, like one person with many devices. Sockets open `--batch` at a time through HAProxy
 * (leastconn spreads them over the instances).
 *
 * Delivery: first `--warmup-messages`, not timed (the first messages through each instance compile
 * their code paths and fill its pools, as bench/rest.ts warms up before it measures); then every
 * `--interval-ms`, for `--message-seconds`, anna's webhook (scope `im`) posts
 * `im.message.add` to a user drawn at random; every socket of that user should get that message
 * once. Latency runs from just before the request to the frame naming the message at each socket;
 * p50/p99 are over all deliveries, and deliveries received are counted against expected. Requests
 * go through the balancer, so about half the deliveries cross from one instance to the other over
 * Redis.
 *
 * Memory per idle connection: RSS and PSS (/proc/PID/smaps_rollup) of both instances before the
 * sockets open (after the configs were fetched) and after they are all open, each after
 * `--settle-seconds` of idleness (V8's memory reducer collects garbage once allocation stops; the
 * instances are not run with --expose-gc, as production does not), the difference divided by the
 * sockets open. HAProxy's share is printed beside.
 *
 * REST: `user.current` with anna's token, `--rest-connections` keep-alive connections; each
 * configuration gets a warm-up run, then `--rest-rounds` rounds of one run each, the three
 * configurations back to back (SQLite direct; PostgreSQL through HAProxy with instance b in
 * maintenance; with both). Figures are medians over the rounds; CPU time sums every serving process
 * (both instances and HAProxy). Both instances share one core, so two instances cannot double the
 * throughput here: the figure shows what the balancer and a second process cost, not capacity.
 */
import '../packages/portal/test/localhostDispatcher.ts';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWebhookChecked } from '@multidesk/portal/src/admin/directory.ts';
import { seedDemo } from '@multidesk/portal/src/seed/demo.ts';
import { openDatabase } from '@multidesk/portal/src/store/database.ts';
import { addMember } from '@multidesk/portal/src/store/members.ts';
import { findPortalByName } from '@multidesk/portal/src/store/portals.ts';
import { createUser } from '@multidesk/portal/src/store/users.ts';
import { Redis } from 'ioredis';
import { type Balancer, haproxySkip, startBalancer } from '../packages/portal/test/haproxy.ts';
import { testRedis } from '../packages/portal/test/redisServer.ts';
import { desktopSignIn } from '../packages/portal/test/signIn.ts';
import { postgresEngine } from '../packages/portal/test/storeEngines.ts';
import type { BenchUser, ClientReply, ClientRequest, Delivered, Opened } from './scaleClients.ts';
import { autocannon, type Figures, freePort, startServe, stop, summary, type Target, waitUntilAnswering } from './serverLoad.ts';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    users: { type: 'string', default: '200' },
    batch: { type: 'string', default: '250' },
    'settle-seconds': { type: 'string', default: '10' },
    'message-seconds': { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '100' },
    'warmup-messages': { type: 'string', default: '20' },
    'rest-rounds': { type: 'string', default: '3' },
    'rest-seconds': { type: 'string', default: '5' },
    'rest-warmup-seconds': { type: 'string', default: '2' },
    'rest-connections': { type: 'string', default: '32' },
    'server-core': { type: 'string', default: '0' },
    'load-core': { type: 'string', default: '1' },
  },
});
const CONNECTIONS = Number(args.connections);
const USERS = Math.min(Number(args.users), CONNECTIONS);
const SETTLE_MS = Number(args['settle-seconds']) * 1000;
const INTERVAL_MS = Number(args['interval-ms']);
const MESSAGES = Math.round((Number(args['message-seconds']) * 1000) / INTERVAL_MS);
const REST_ROUNDS = Number(args['rest-rounds']);
const SERVER_CORE = args['server-core'];
const LOAD_CORE = args['load-core'];
const LOAD = { loadCore: LOAD_CORE, connections: Number(args['rest-connections']) };
const GOAL_P99_MS = 100;
const GOAL_KIB_PER_CONNECTION = 10;
const CLI = join(import.meta.dirname, '../packages/portal/src/cli.ts');

/** This process's open-file limit, which every child inherits (raising the hard limit takes CAP_SYS_RESOURCE). */
const OPEN_FILES = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
/**
 * HAProxy derives its maxconn from that limit and holds two descriptors a socket (client and
 * server side), so one balancer takes about half the limit: more sockets need more balancers, as
 * a site with more clients than one balancer holds runs several behind one DNS name.
 */
const PER_BALANCER = Math.floor((OPEN_FILES - 1000) / 2);
const BALANCERS = Math.ceil(CONNECTIONS / PER_BALANCER);

interface Memory {
  rss_kib: number;
  pss_kib: number;
}

/** RSS and PSS of a process, in KiB, from /proc/PID/smaps_rollup. */
function memoryOf(pid: number): Memory {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  return { rss_kib: field('Rss'), pss_kib: field('Pss') };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
}

/** `serve` on PostgreSQL and Redis, pinned to the server core; resolves once /readyz says ready. */
async function startInstance(name: string, database: string, redisUrl: string): Promise<Instance> {
  const port = await freePort();
  const child = startServe(SERVER_CORE, port, ['--database', database, '--redis', redisUrl, '--trust-proxy', '127.0.0.1']);
  await waitUntilAnswering(`http://127.0.0.1:${port}/readyz`, child);
  return { name, port, child };
}

/** The bench users on acme, each with a `pull_channel` webhook, and anna's `im` webhook to send with. */
async function addBenchUsers(database: string, base: string): Promise<{ users: BenchUser[]; sender: string }> {
  const db = await openDatabase(database);
  try {
    const acme = await findPortalByName(db, 'acme');
    if (!acme) throw new Error('the demo data has no acme');
    const now = Date.now();
    const users: BenchUser[] = [];
    for (let i = 1; i <= USERS; i++) {
      const email = `scale${i}@example.com`;
      const user = await createUser(db, {
        email,
        password_hash: 'not-a-password-hash',
        name: `Scale${i}`,
        last_name: 'Bench',
        totp_secret: null,
        totp_last_step: null,
        created_at: now,
      });
      await addMember(db, acme.id, user.id, 'user', now);
      const hook = await createWebhookChecked(db, 'acme', email, ['pull_channel'], now);
      users.push({ memberId: hook.memberId, webhook: `${base}/rest/${hook.memberId}/${hook.secret}` });
    }
    const anna = await createWebhookChecked(db, 'acme', 'anna@example.com', ['im'], now);
    return { users, sender: `${base}/rest/${anna.memberId}/${anna.secret}` };
  } finally {
    await db.destroy();
  }
}

/** The load generator, pinned to the load core; driven over IPC. */
function startClients(): { child: ChildProcess; ask<R extends ClientReply>(request: ClientRequest): Promise<R> } {
  const argv = ['-c', String(LOAD_CORE), process.execPath, join(import.meta.dirname, 'scaleClients.ts')];
  const child = spawn('taskset', argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = async <R extends ClientReply>(request: ClientRequest): Promise<R> => {
    child.send(request);
    const [reply] = await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the load generator exited with ${code}`);
      }),
    ]);
    return reply as R;
  };
  return { child, ask };
}

/** The instances' memory now, and the balancers' together. */
function sample(instances: readonly Instance[], balancers: readonly Balancer[]) {
  const each = Object.fromEntries(instances.map((instance) => [instance.name, memoryOf(instance.child.pid as number)]));
  const total = (memories: Memory[], key: keyof Memory) => memories.reduce((sum, memory) => sum + memory[key], 0);
  const haproxy = balancers.map((balancer) => memoryOf(balancer.pid));
  return {
    instances: each,
    rss_kib: total(Object.values(each), 'rss_kib'),
    pss_kib: total(Object.values(each), 'pss_kib'),
    haproxy: { rss_kib: total(haproxy, 'rss_kib'), pss_kib: total(haproxy, 'pss_kib') },
  };
}

/** A SQLite `serve` over a fresh copy of the demo data, pinned to the server core, and anna's token on it. */
async function startSqlite(dataDir: string): Promise<{ child: ChildProcess; target: Target }> {
  const db = await openDatabase(dataDir);
  await seedDemo(db, Date.now());
  await db.destroy();
  const port = await freePort();
  const child = startServe(SERVER_CORE, port, ['--data', dataDir]);
  await waitUntilAnswering(`http://127.0.0.1:${port}/readyz`, child);
  return { child, target: await userCurrent(port) };
}

/** `user.current` with anna's token, through the desktop's sign-in, on whatever listens on `port`. */
async function userCurrent(port: number): Promise<Target> {
  const tokens = await desktopSignIn({ url: (name) => `http://${name}.localhost:${port}` }, 'acme', 'anna@example.com');
  return { url: `http://127.0.0.1:${port}/rest/user.current?auth=${tokens.access_token}`, host: `acme.localhost:${port}` };
}

/** The machine is shared: the load average says how much else ran beside the bench. */
const loadAtStart = loadavg();
const engine = postgresEngine();
const redis = testRedis();
const skip = haproxySkip ?? engine.skip ?? redis.skip;
if (skip) {
  console.error(skip);
  process.exit(1);
}
const sqliteDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-scale-'));
const children: ChildProcess[] = [];
let database: Awaited<ReturnType<typeof engine.create>> | undefined;
const balancers: Balancer[] = [];
try {
  database = await engine.create();
  const seeded = spawnSync(process.execPath, [CLI, 'seed-demo', '--database', database.location], { encoding: 'utf8' });
  if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`);
  const redisUrl = `${redis.url()}/${1 + Math.floor(Math.random() * 15)}`;
  const admin = new Redis(redisUrl);
  await admin.flushdb();
  admin.disconnect();

  const instances: Instance[] = [];
  for (const name of ['a', 'b']) {
    const instance = await startInstance(name, database.location, redisUrl);
    instances.push(instance);
    children.push(instance.child);
  }
  for (let i = 0; i < BALANCERS; i++)
    balancers.push(await startBalancer(await freePort(), instances, { core: SERVER_CORE, shippedChecks: true }));
  const balancer = balancers[0] as Balancer;
  for (const each of balancers) {
    for (let i = 0; i < 50 && ((await each.status('a')) !== 'UP' || (await each.status('b')) !== 'UP'); i++) await pause(100);
  }
  const { users, sender } = await addBenchUsers(database.location, `http://acme.localhost:${balancer.port}`);

  // Realtime first, on instances that have served nothing but the configs.
  const clients = startClients();
  children.push(clients.child);
  const configured = await clients.ask<{ kind: 'configured'; seconds: number }>({ kind: 'configs', users });
  await pause(SETTLE_MS);
  const before = sample(instances, balancers);
  const opened = await clients.ask<Opened>({
    kind: 'open',
    connections: CONNECTIONS,
    batch: Number(args.batch),
    ports: balancers.map((each) => each.port),
  });
  await pause(SETTLE_MS);
  const after = sample(instances, balancers);
  const message = { kind: 'send', sender, intervalMs: INTERVAL_MS, graceMs: 2000, slowMs: GOAL_P99_MS } as const;
  await clients.ask<Delivered>({ ...message, messages: Number(args['warmup-messages']) });
  const delivered = await clients.ask<Delivered>({ ...message, messages: MESSAGES });
  await clients.ask({ kind: 'close' });
  await once(clients.child, 'exit');

  const perConnection = (key: keyof Memory, from: Memory, to: Memory) =>
    opened.open ? Math.round(((to[key] - from[key]) / opened.open) * 100) / 100 : Number.NaN;
  const memory = {
    before,
    after,
    rss_kib_per_connection: perConnection('rss_kib', before, after),
    pss_kib_per_connection: perConnection('pss_kib', before, after),
    haproxy_rss_kib_per_connection: perConnection('rss_kib', before.haproxy, after.haproxy),
  };

  // REST: SQLite direct, PostgreSQL through HAProxy with one instance and with two.
  const sqlite = await startSqlite(sqliteDir);
  children.push(sqlite.child);
  const viaBalancer = await userCurrent(balancer.port);
  const pgPids = [...instances.map((instance) => instance.child.pid as number), balancer.pid];
  const lb = balancer;
  const configurations = [
    {
      name: 'SQLite, one instance, direct',
      run: (seconds: number) => autocannon([sqlite.child.pid as number], sqlite.target, { ...LOAD, seconds }),
    },
    {
      name: 'PostgreSQL, one instance via HAProxy',
      run: async (seconds: number) => {
        await lb.setState('b', 'maint');
        try {
          return await autocannon(pgPids, viaBalancer, { ...LOAD, seconds });
        } finally {
          await lb.setState('b', 'ready');
        }
      },
    },
    { name: 'PostgreSQL, two instances via HAProxy', run: (seconds: number) => autocannon(pgPids, viaBalancer, { ...LOAD, seconds }) },
  ];
  for (const configuration of configurations) await configuration.run(Number(args['rest-warmup-seconds']));
  const rounds: Figures[][] = configurations.map(() => []);
  for (let round = 0; round < REST_ROUNDS; round++) {
    for (const [i, configuration] of configurations.entries()) rounds[i]?.push(await configuration.run(Number(args['rest-seconds'])));
  }
  const rest = configurations.map((configuration, i) => ({ name: configuration.name, ...summary(rounds[i] as Figures[]) }));

  console.log(
    JSON.stringify(
      {
        bench: 'scale',
        node: process.version,
        load_average_at_start: loadAtStart,
        load_average_at_end: loadavg(),
        connections: CONNECTIONS,
        users: USERS,
        server_core: SERVER_CORE,
        load_core: LOAD_CORE,
        open_files: OPEN_FILES,
        balancers: BALANCERS,
        configs_seconds: configured.seconds,
        opened,
        delivery: delivered,
        memory,
        rest,
      },
      null,
      2,
    ),
  );
  console.log(
    `sockets open: ${opened.open} of ${CONNECTIONS} in ${opened.seconds} s (${Object.entries(opened.byInstance)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}; ${opened.failed} failed${opened.firstError ? `, first: ${opened.firstError}` : ''})`,
  );
  console.log(
    `delivery latency at ${opened.open} connections: p50 ${delivered.p50_ms} ms, p99 ${delivered.p99_ms} ms, max ${delivered.max_ms} ms (goal p99 < ${GOAL_P99_MS} ms at 10000 connections)`,
  );
  console.log(`delivery to every socket of the user, p99 over messages: ${delivered.all_sockets_p99_ms} ms`);
  console.log(
    `deliveries: ${delivered.received} received of ${delivered.expected} expected (${delivered.messages} messages, ${delivered.duplicates} duplicates, ${delivered.failedSends} failed sends, ${delivered.closedMeanwhile} sockets closed meanwhile)`,
  );
  const slowAt = delivered.slow.length
    ? `, sent ${delivered.slow.at(0)?.at_s} s to ${delivered.slow.at(-1)?.at_s} s after the first (JSON: each)`
    : '';
  console.log(`messages some socket got after more than ${GOAL_P99_MS} ms: ${delivered.slow.length} of ${delivered.messages}${slowAt}`);
  console.log(`im.message.add answer: p50 ${delivered.rest_p50_ms} ms, p99 ${delivered.rest_p99_ms} ms`);
  console.log(
    `server memory per idle connection, both instances: RSS ${memory.rss_kib_per_connection} KiB, PSS ${memory.pss_kib_per_connection} KiB (goal < ${GOAL_KIB_PER_CONNECTION} KiB; RSS ${Math.round(before.rss_kib / 1024)} -> ${Math.round(after.rss_kib / 1024)} MiB)`,
  );
  console.log(`HAProxy memory per connection (${BALANCERS} balancers together): RSS ${memory.haproxy_rss_kib_per_connection} KiB`);
  const load = (figures: number[]) => figures.map((n) => n.toFixed(2)).join(' ');
  console.log(
    `machine load average (1, 5, 15 min): ${load(loadAtStart)} at start, ${load(loadavg())} at end (2 cores; other work shares them)`,
  );
  for (const figures of rest) {
    console.log(
      `user.current, ${figures.name}: ${figures.requests_per_second} req/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, server CPU ${figures.server_cpu_us_per_request} µs a request, ${figures.server_cpu_busy_percent}% busy${figures.errors ? `, ${figures.errors} errors` : ''}`,
    );
  }
} finally {
  for (const each of balancers) await each.close();
  await Promise.all(children.map((child) => stop(child)));
  await database?.remove();
  engine.close();
  rmSync(sqliteDir, { recursive: true, force: true });
}
