/**
 * Realtime (issue #7): delivery latency from `im.message.add` to the desktop core's event for that
 * message with 1 and with 10 connected accounts, to the text painted in the real Messenger window
 * with 10 accounts (bench/messengerPaint.ts), core memory per extra connected account with its
 * chats open, and a reconnect storm of 10 accounts after a portal restart. Prints JSON, then one
 * line a figure.
 *
 *   npx node bench/realtime.ts [--messages 200] [--spacing-ms 20] [--memory-runs 3] [--storms 3]
 *                              [--paint-messages 200] [--profile DIR]
 *
 * `--profile DIR` writes the Messenger page's CPU profile over the burst to DIR/burst.cpuprofile
 * (read it with bench/profileTop.ts).
 *
 * Three kinds of process, so that no figure carries another side's cost:
 * - the portal runs in a child process of its own (real server, SQLite file, demo data, REST
 *   limits lifted: the bench measures delivery, not the rate limiter). A restart stops that process
 *   gracefully and starts a new one on the same port and database, as a redeploy would; its CPU
 *   time is read with `process.cpuUsage()` inside it.
 * - memory is measured in a fresh child holding only a desktop core (no portal, no bench traffic,
 *   no browser: bench/desktop.ts measures the windows), re-executed with `--expose-gc`: sign in 1 account, open its chat list and one
 *   dialog through ChatService, wait until live, force GC, sample RSS and heap; then 9 more the same
 *   way and sample again. Per extra account = (10 - 1) / 9. RSS counts what heap does not: each
 *   account's SQLite cache, sockets, buffers. The views loaded stay referenced, as an open chat would.
 *   RSS moves by a few MiB with the allocator, so the child runs several times; medians are reported.
 * - this process runs the measured core and the sender. Latency: the sender (a member of acme who
 *   is not one of the core's accounts) posts to anna's dialog over REST; the time runs from just
 *   before the request to the AccountManager's `chats-changed` for that dialog, one message at a
 *   time with a pause between, so it is latency, not throughput. Warm-up messages are not counted.
 *
 * Reconnect storm: with all 10 accounts of this process's core live, the portal restarts; times run
 * from the new portal listening to each account's `live`, and from the stop request. Connection
 * attempts are counted on both sides (the core's WebSocket requests, the portal's upgrades).
 * Backoff is capped and fully jittered, so figures vary run to run: several rounds are reported as
 * observed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '@multidesk/portal/src/store/database.ts';
import { PULL_WEBSOCKET_PATH } from '@multidesk/protocol';
import type { Core } from '../packages/desktop/src/core/core.ts';
import type { TestPortal } from '../packages/portal/test/harness.ts';
import { DEMO_SIGN_INS } from './demoSignIns.ts';
import { measurePainted } from './messengerPaint.ts';
import { percentile } from './percentile.ts';

// Each process loads only its side's code (dynamic imports below): the memory child holds a desktop
// core and nothing of the server, and a restarted portal starts as fast as a real one.

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '0' },
    seed: { type: 'boolean', default: false },
    messages: { type: 'string', default: '200' },
    'spacing-ms': { type: 'string', default: '20' },
    'memory-runs': { type: 'string', default: '3' },
    storms: { type: 'string', default: '3' },
    'paint-messages': { type: 'string', default: '200' },
    profile: { type: 'string' },
  },
});
const MESSAGES = Number(args.messages);
const WARMUP_MESSAGES = 20;
const SPACING_MS = Number(args['spacing-ms']);
const MEMORY_RUNS = Number(args['memory-runs']);
const STORMS = Number(args.storms);
const PAINT_MESSAGES = Number(args['paint-messages']);
const MiB = 1024 * 1024;

/** Posts the measured messages: a member of acme that the core never signs in. */
const SENDER = 'bench.sender@example.com';
const PASSWORD = 'multidesk-demo';
const DEVICE = { name: 'bench', os: 'Linux', appVersion: '0.0.0' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

// ---------------------------------------------------------------------------------------------
// Portal process (--role portal)

interface PortalStats {
  /** User + system CPU of the portal process so far, in ms. */
  cpuMs: number;
  /** WebSocket upgrade requests this portal process received. */
  upgrades: number;
  port: number;
}

type PortalMessage = { type: 'ready' | 'stats'; stats: PortalStats };

async function addSender(db: Db, now: number): Promise<void> {
  const [{ hashPassword }, { addMember }, { findPortalByName }, { createUser }] = await Promise.all([
    import('@multidesk/portal/src/auth/password.ts'),
    import('@multidesk/portal/src/store/members.ts'),
    import('@multidesk/portal/src/store/portals.ts'),
    import('@multidesk/portal/src/store/users.ts'),
  ]);
  const acme = await findPortalByName(db, 'acme');
  if (!acme) throw new Error('the demo data has no acme portal');
  const user = await createUser(db, {
    email: SENDER,
    password_hash: await hashPassword(PASSWORD),
    name: 'Bench',
    last_name: 'Sender',
    totp_secret: null,
    totp_last_step: null,
    created_at: now,
  });
  await addMember(db, acme.id, user.id, 'user', now);
}

async function runPortal(dataDir: string, port: number, seed: boolean): Promise<void> {
  const [{ buildApp }, { seedDemo }, { openDatabase }] = await Promise.all([
    import('@multidesk/portal/src/app.ts'),
    import('@multidesk/portal/src/seed/demo.ts'),
    import('@multidesk/portal/src/store/database.ts'),
  ]);
  const db = await openDatabase(dataDir);
  if (seed) {
    await seedDemo(db, Date.now());
    await addSender(db, Date.now());
  }
  const app = await buildApp({ db, limits: { restBurst: Number.POSITIVE_INFINITY } });
  let upgrades = 0;
  app.server.on('upgrade', () => upgrades++);
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  const stats = (): PortalStats => {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, upgrades, port: listening };
  };
  const send = (message: PortalMessage) => process.send?.(message);
  process.on('message', (message) => {
    if (message === 'stats') send({ type: 'stats', stats: stats() });
    if (message === 'stop') {
      void app
        .close()
        .then(() => db.destroy())
        .then(() => process.exit(0));
    }
  });
  send({ type: 'ready', stats: stats() });
}

interface PortalProcess {
  port: number;
  /** Stats at the moment it listened. */
  ready: PortalStats;
  stats(): Promise<PortalStats>;
  /** Graceful stop (realtime clients are told 1001 going away); resolves when the process has exited. */
  stop(): Promise<void>;
}

function nextMessage(child: ChildProcess, type: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before sending ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function forkRole(role: string, options: string[], execArgv: string[] = []): ChildProcess {
  return fork(import.meta.filename, ['--role', role, ...options], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function startPortal(dataDir: string, port: number, seed: boolean): Promise<PortalProcess> {
  const child = forkRole('portal', ['--data-dir', dataDir, '--port', String(port), ...(seed ? ['--seed'] : [])]);
  const { stats: ready } = (await nextMessage(child, 'ready')) as PortalMessage;
  return {
    port: ready.port,
    ready,
    stats: async () => {
      const answer = nextMessage(child, 'stats');
      child.send('stats');
      return ((await answer) as PortalMessage).stats;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Desktop core: sign-ins with chats open

/** A desktop core (no windows) over a profile folder, secrets in memory. */
async function openBenchCore(profileDir: string): Promise<Core> {
  const [{ openCore }, { MemoryVault }] = await Promise.all([
    import('../packages/desktop/src/core/core.ts'),
    import('../packages/desktop/src/core/vault/memoryVault.ts'),
  ]);
  return openCore({ profileDir, vault: new MemoryVault(), device: DEVICE });
}

/** Resolves once every account is live (registered before checking, so none is missed). */
function allLive(core: Core, ids: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiting = new Set(ids.filter((id) => !core.manager.isLive(id)));
    if (waiting.size === 0) return resolve();
    const timer = setTimeout(() => reject(new Error(`${waiting.size} account(s) not live after ${timeoutMs} ms`)), timeoutMs);
    const onLive = (id: string) => {
      waiting.delete(id);
      if (waiting.size > 0) return;
      clearTimeout(timer);
      core.manager.off('live', onLive);
      resolve();
    };
    core.manager.on('live', onLive);
  });
}

/** Signs each in, waits until live, and opens each account's chat list and its first dialog's messages. */
async function connectWithChatsOpen(core: Core, port: number, signIns: [string, string][], open: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [name, login] of signIns) {
    const result = await core.signIns.password({ address: `${name}.localhost:${port}`, login, password: PASSWORD });
    if (!result.ok) throw new Error(`sign-in ${login}@${name}: ${result.message}`);
    ids.push(result.account.id);
  }
  await allLive(core, ids, 30_000);
  for (const id of ids) {
    const chats = await core.chats.list({ id });
    const first = chats.chats[0];
    if (chats.stale || !first) throw new Error(`no chats for account ${id}: ${JSON.stringify(chats)}`);
    const messages = await core.chats.messages({ id, dialogId: first.dialogId });
    if (!messages.ok) throw new Error(`messages of ${first.dialogId}: ${messages.message}`);
    open.push(chats, messages);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Memory process (--role core-memory)

interface MemorySample {
  rssMiB: number;
  /** V8 heap in use plus memory outside it owned by JS objects (buffers). */
  heapMiB: number;
  pssMiB: number;
}

type MemoryMessage = { type: 'memory'; one: MemorySample; ten: MemorySample };

async function sampleMemory(): Promise<MemorySample> {
  if (!globalThis.gc) throw new Error('the memory child needs --expose-gc');
  // Let the follow-ups of the last sign-in (counters, home) finish, then collect twice.
  await sleep(1_000);
  globalThis.gc();
  await sleep(100);
  globalThis.gc();
  const usage = process.memoryUsage();
  const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return {
    rssMiB: round(usage.rss / MiB),
    heapMiB: round((usage.heapUsed + usage.external) / MiB),
    pssMiB: round(Number(pss?.[1] ?? 0) / 1024),
  };
}

async function runCoreMemory(port: number): Promise<void> {
  const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-realtime-mem-'));
  const core = await openBenchCore(profileDir);
  const open: unknown[] = [];
  try {
    await connectWithChatsOpen(core, port, DEMO_SIGN_INS.slice(0, 1), open);
    const one = await sampleMemory();
    await connectWithChatsOpen(core, port, DEMO_SIGN_INS.slice(1), open);
    const ten = await sampleMemory();
    process.send?.({ type: 'memory', one, ten } satisfies MemoryMessage);
  } finally {
    await core.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

interface MemoryRun {
  accounts_1_rss_mib: number;
  accounts_10_rss_mib: number;
  accounts_1_heap_mib: number;
  accounts_10_heap_mib: number;
  per_extra_account_rss_mib: number;
  per_extra_account_pss_mib: number;
  per_extra_account_heap_mib: number;
}

function memoryRun({ one, ten }: MemoryMessage): MemoryRun {
  const perExtra = (key: keyof MemorySample) => round((ten[key] - one[key]) / 9);
  return {
    accounts_1_rss_mib: one.rssMiB,
    accounts_10_rss_mib: ten.rssMiB,
    accounts_1_heap_mib: one.heapMiB,
    accounts_10_heap_mib: ten.heapMiB,
    per_extra_account_rss_mib: perExtra('rssMiB'),
    per_extra_account_pss_mib: perExtra('pssMiB'),
    per_extra_account_heap_mib: perExtra('heapMiB'),
  };
}

async function measureMemory(port: number): Promise<MemoryMessage> {
  const child = forkRole('core-memory', ['--port', String(port)], ['--expose-gc']);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const result = (await nextMessage(child, 'memory')) as MemoryMessage;
  await exited;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Latency

interface Sender {
  base: string;
  token: string;
  userId: number;
}

interface LatencyFigures {
  messages: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** The REST call's own round trip, for scale. */
  rest_reply_p50_ms: number;
}

/** performance.now() at the manager's `chats-changed` for that account and dialog. */
/** When the core's chats applied the change for the dialog (or, where it could not, asked windows to reload it). */
function deliveredAt(core: Core, accountId: string, dialogId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no chat change for ${dialogId} within 10 s`)), 10_000);
    const stop = () => {
      clearTimeout(timer);
      core.chats.off('delta', onDelta);
      core.chats.off('changed', onChanged);
    };
    const onDelta = (id: string, delta: { dialogId: string }) => onChanged(id, delta.dialogId);
    const onChanged = (id: string, dialog?: string) => {
      if (id !== accountId || dialog !== dialogId) return;
      const at = performance.now();
      stop();
      resolve(at);
    };
    core.chats.on('delta', onDelta);
    core.chats.on('changed', onChanged);
  });
}

async function postMessage(sender: Sender, dialogId: number, text: string): Promise<void> {
  const response = await fetch(`${sender.base}/rest/im.message.add.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ DIALOG_ID: dialogId, MESSAGE: text, auth: sender.token }),
  });
  const body = (await response.json()) as { error?: string; error_description?: string };
  if (response.status !== 200) throw new Error(`im.message.add: ${response.status} ${body.error} ${body.error_description}`);
}

/** Messages from the sender to the account's user, one at a time, each timed to its event in the core. */
async function measureLatency(core: Core, accountId: string, sender: Sender, label: string): Promise<LatencyFigures> {
  const recipient = core.manager.list().find((a) => a.id === accountId);
  if (!recipient) throw new Error(`no account ${accountId}`);
  // A private dialog is named, for its receiver, by the other side's user id.
  const dialogId = String(sender.userId);
  const delivery: number[] = [];
  const reply: number[] = [];
  for (let i = 0; i < WARMUP_MESSAGES + MESSAGES; i++) {
    const arrival = deliveredAt(core, accountId, dialogId);
    const sentAt = performance.now();
    await postMessage(sender, recipient.userId, `${label} #${i}`);
    const repliedAt = performance.now();
    const receivedAt = await arrival;
    if (i >= WARMUP_MESSAGES) {
      delivery.push(receivedAt - sentAt);
      reply.push(repliedAt - sentAt);
    }
    await sleep(SPACING_MS);
  }
  const sorted = Float64Array.from(delivery).sort();
  return {
    messages: delivery.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] as number),
    rest_reply_p50_ms: round(percentile(Float64Array.from(reply).sort(), 50)),
  };
}

// ---------------------------------------------------------------------------------------------
// Reconnect storm

/** Counts this process's realtime connection attempts: `ws` opens each through node:http, the REST client uses undici. */
function countRealtimeAttempts(): () => number {
  let attempts = 0;
  subscribe('http.client.request.created', (message) => {
    if ((message as { request: ClientRequest }).request.path.startsWith(PULL_WEBSOCKET_PATH)) attempts++;
  });
  return () => attempts;
}

interface StormRound {
  /** Stop requested to the new portal process listening (graceful close + process start). */
  restart_ms: number;
  /** New portal listening to the first and to the last account live again. */
  first_live_ms: number;
  all_live_ms: number;
  /** Stop requested to the last account live again. */
  all_live_after_stop_ms: number;
  /** WebSocket attempts of the core, from the stop to all live (failed ones while the portal was down included). */
  client_attempts: number;
  /** Upgrade requests the restarted portal received. */
  portal_upgrades: number;
  /** The restarted portal's CPU from listening until 250 ms after all were live (counters refreshes included). */
  portal_cpu_ms: number;
  /** This process's CPU (core and bench) from the stop to all live. */
  core_cpu_ms: number;
}

async function reconnectStorm(
  core: Core,
  ids: string[],
  portal: PortalProcess,
  dataDir: string,
  realtimeAttempts: () => number,
): Promise<{ round: StormRound; portal: PortalProcess }> {
  const liveAt = new Map<string, number>();
  const onLive = (id: string) => {
    if (!liveAt.has(id)) liveAt.set(id, performance.now());
  };
  core.manager.on('live', onLive);
  const attemptsBefore = realtimeAttempts();
  const cpuBefore = process.cpuUsage();
  const stoppedAt = performance.now();
  await portal.stop();
  const restarted = await startPortal(dataDir, portal.port, false);
  const listeningAt = performance.now();
  await allLive(core, ids, 120_000);
  const allLiveAt = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const attempts = realtimeAttempts() - attemptsBefore;
  core.manager.off('live', onLive);
  await sleep(250);
  const after = await restarted.stats();
  const times = ids.map((id) => (liveAt.get(id) ?? allLiveAt) - listeningAt);
  return {
    portal: restarted,
    round: {
      restart_ms: round(listeningAt - stoppedAt, 0),
      first_live_ms: round(Math.min(...times), 0),
      all_live_ms: round(allLiveAt - listeningAt, 0),
      all_live_after_stop_ms: round(allLiveAt - stoppedAt, 0),
      client_attempts: attempts,
      portal_upgrades: after.upgrades,
      portal_cpu_ms: round(after.cpuMs - restarted.ready.cpuMs, 1),
      core_cpu_ms: round((cpu.user + cpu.system) / 1000, 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

async function main(): Promise<void> {
  // fetch (the sender) resolves *.localhost as the tests do.
  await import('../packages/portal/test/localhostDispatcher.ts');
  const { desktopSignIn } = await import('../packages/portal/test/signIn.ts');
  const realtimeAttempts = countRealtimeAttempts();
  const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-realtime-portal-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-realtime-'));
  let portal = await startPortal(dataDir, 0, true);
  let core: Core | undefined;
  try {
    const memoryRuns: MemoryRun[] = [];
    for (let i = 0; i < MEMORY_RUNS; i++) memoryRuns.push(memoryRun(await measureMemory(portal.port)));

    const base = `http://acme.localhost:${portal.port}`;
    // desktopSignIn only needs the portal's addresses.
    const addresses: Pick<TestPortal, 'url'> = { url: (name) => `http://${name}.localhost:${portal.port}` };
    const token = await desktopSignIn(addresses as TestPortal, 'acme', SENDER);
    const sender: Sender = { base, token: token.access_token, userId: token.user_id };

    core = await openBenchCore(profileDir);
    const open: unknown[] = [];
    const ids = await connectWithChatsOpen(core, portal.port, DEMO_SIGN_INS.slice(0, 1), open);
    const measured = ids[0] as string;
    const one = await measureLatency(core, measured, sender, 'one account');
    ids.push(...(await connectWithChatsOpen(core, portal.port, DEMO_SIGN_INS.slice(1), open)));
    const ten = await measureLatency(core, measured, sender, 'ten accounts');

    const rounds: StormRound[] = [];
    for (let i = 0; i < STORMS; i++) {
      const storm = await reconnectStorm(core, ids, portal, dataDir, realtimeAttempts);
      portal = storm.portal;
      rounds.push(storm.round);
      // Let the last round's follow-ups finish before the next stop.
      await sleep(500);
    }

    // The app and its windows, measured alone: this process's core is closed first.
    await core.close();
    core = undefined;
    const painted = await measurePainted({
      port: portal.port,
      post: (toUserId, text) => postMessage(sender, toUserId, text),
      senderName: 'Bench Sender',
      messages: PAINT_MESSAGES,
      warmup: WARMUP_MESSAGES,
      spacingMs: SPACING_MS,
      ...(args.profile ? { profileDir: args.profile } : {}),
    });

    const memoryMedian = (key: keyof MemoryRun) => median(memoryRuns.map((r) => r[key]));
    const stormMedian = (key: keyof StormRound) => median(rounds.map((r) => r[key]));
    const report = {
      bench: 'realtime',
      node: process.version,
      spacing_ms: SPACING_MS,
      latency: { accounts_1: one, accounts_10: ten, painted_in_messenger_accounts_10: painted },
      memory: {
        runs: memoryRuns,
        median_accounts_1_rss_mib: memoryMedian('accounts_1_rss_mib'),
        median_accounts_10_rss_mib: memoryMedian('accounts_10_rss_mib'),
        median_per_extra_account_rss_mib: memoryMedian('per_extra_account_rss_mib'),
        median_per_extra_account_pss_mib: memoryMedian('per_extra_account_pss_mib'),
        median_per_extra_account_heap_mib: memoryMedian('per_extra_account_heap_mib'),
        goal_mib: 5,
      },
      reconnect_storm: {
        accounts: ids.length,
        rounds,
        median_all_live_ms: stormMedian('all_live_ms'),
        median_all_live_after_stop_ms: stormMedian('all_live_after_stop_ms'),
        median_client_attempts: stormMedian('client_attempts'),
        median_portal_cpu_ms: stormMedian('portal_cpu_ms'),
      },
    };
    console.log(JSON.stringify(report, null, 2));
    for (const [label, figures] of [
      ['1 account', one],
      ['10 accounts', ten],
    ] as const) {
      console.log(`im.message.add to core event, ${label}: p50 ${figures.p50_ms} ms`);
      console.log(`im.message.add to core event, ${label}: p99 ${figures.p99_ms} ms`);
      console.log(`im.message.add to core event, ${label}: max ${figures.max_ms} ms`);
    }
    console.log(
      `im.message.add to text painted in the Messenger, ${painted.accounts} accounts: p50 ${painted.p50_ms} ms, ` +
        `p99 ${painted.p99_ms} ms (goal: p99 <= ${painted.goal_p99_ms} ms), max ${painted.max_ms} ms over ${painted.messages} messages; ` +
        `presented (after raster): p50 ${painted.presented_p50_ms} ms, p99 ${painted.presented_p99_ms} ms; ` +
        `in the page's DOM: p50 ${painted.dom_p50_ms} ms, p99 ${painted.dom_p99_ms} ms; ` +
        `the frame produced as the page sees it: p50 ${painted.produced_p50_ms} ms, p99 ${painted.produced_p99_ms} ms; ` +
        `the machine meanwhile: CPUs ${painted.machine.busy_percent}% busy, ${painted.machine.steal_percent}% stolen by the host`,
    );
    const { burst } = painted;
    console.log(
      `a burst of ${burst.messages} messages posted in ${burst.posted_in_ms} ms into the open chat: all painted after ${burst.all_painted_ms} ms, ` +
        `${burst.painted} of them shown, the newest ${burst.rows} rows kept for ${burst.distinct} distinct messages, ` +
        // Chromium reports frames of 50 ms and more only: with none, the longest is under 50 ms.
        (burst.long_frames === 0
          ? 'no frame over 50 ms'
          : `${burst.long_frames} frames over 50 ms, the longest ${burst.longest_frame_ms} ms`) +
        ` (goal: none over ${burst.goal_longest_frame_ms} ms)`,
    );
    for (const frame of burst.longest_frames) {
      console.log(
        `  a ${frame.duration_ms} ms frame: script ${frame.script_ms} ms (forced layout ${frame.forced_layout_ms} ms), ` +
          `rendering ${frame.render_ms} ms (style and layout ${frame.style_layout_ms} ms); ${frame.scripts.join('; ')}`,
      );
    }
    const runs = `median of ${memoryRuns.length}`;
    console.log(`core memory, 1 account with chats open: RSS ${memoryMedian('accounts_1_rss_mib')} MiB (${runs})`);
    console.log(`core memory, 10 accounts with chats open: RSS ${memoryMedian('accounts_10_rss_mib')} MiB (${runs})`);
    console.log(
      `each extra connected account: ${memoryMedian('per_extra_account_rss_mib')} MiB RSS, ` +
        `${memoryMedian('per_extra_account_heap_mib')} MiB heap (${runs}; each RSS: ` +
        `${memoryRuns.map((r) => r.per_extra_account_rss_mib).join(', ')} MiB; goal: under 5 MiB)`,
    );
    console.log(
      `reconnect storm, 10 accounts: all live ${stormMedian('all_live_ms')} ms after the portal listened again, ` +
        `${stormMedian('all_live_after_stop_ms')} ms after the stop (median of ${rounds.length}; each: ${rounds.map((r) => r.all_live_ms).join(', ')} ms)`,
    );
    console.log(
      `reconnect storm: ${stormMedian('client_attempts')} connection attempts by the core, ` +
        `${stormMedian('portal_upgrades')} reaching the portal (median of ${rounds.length})`,
    );
    console.log(`reconnect storm: portal CPU ${stormMedian('portal_cpu_ms')} ms (median of ${rounds.length})`);
  } finally {
    await core?.close();
    await portal.stop();
    rmSync(profileDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (args.role === 'portal') await runPortal(args['data-dir'] as string, Number(args.port), args.seed);
else if (args.role === 'core-memory') await runCoreMemory(Number(args.port));
else await main();
