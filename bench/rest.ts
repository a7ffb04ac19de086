/**
 * REST throughput and latency (issue 14): `user.current` with token auth on a real portal server
 * next to a bare Fastify JSON route, in the same run. Prints JSON, then one line a figure, with the
 * goal beside the ratio (it never asserts).
 *
 *   npx node bench/rest.ts [--rounds 12] [--seconds 1.5] [--warmup-seconds 2] [--connections 32]
 *                          [--server-core 0] [--load-core 1] [--profile DIR] [--database URL]
 *
 * Three kinds of process, so that neither side's figures carry the other's cost:
 * - the portal: the CLI's `serve --rest-limit off --log-level warn` over a fresh SQLite file with the
 *   demo data (the bench measures the server, not the per-user rate limit or log lines), in a Node
 *   with the flags it ships with (serverLoad.ts);
 * - the baseline: bench/bareFastify.ts, one route answering a tiny JSON, no logger;
 * - the load generator: autocannon, `--connections` keep-alive connections, one request in flight
 *   on each.
 * Both servers are pinned with `taskset` to `--server-core` and are loaded one at a time (the other
 * waits, idle); autocannon is pinned to `--load-core`, so the load never takes the server's CPU.
 * Each server gets a warm-up run first (JIT, statement and token caches), then `--rounds` rounds of
 * one measured run each, the portal's and the bare server's back to back. Figures are medians over
 * the rounds, and the ratio is the median of each round's ratio: a pair measured moments apart
 * shares the machine's conditions. Many short rounds, because those conditions change within
 * seconds on a shared machine: with 3 rounds of 5 s two runs' ratios were 0.46 and 0.85 (one round
 * alone 0.43 to 1.0), with 12 rounds of 1.5 s three runs gave 0.52, 0.53 and 0.56. Only 2xx answers
 * count as served; anything else is printed as an error count.
 *
 * Pinning keeps the two sides apart, but not other work on the machine off those cores. So each
 * server's CPU time during its run (user + system, from /proc) is printed too, a request and as a
 * share of the run: a server well below 100% busy was held back by the load generator or by other
 * work on the machine, and its requests/s is not its capacity (CPU a request also falls as the rate
 * rises, since more requests share each turn of the event loop).
 *
 * `--database postgres://…` runs the portal on that PostgreSQL database instead (it must be empty:
 * the demo data is seeded into it), as several instances share one; nothing read for a request is
 * kept in memory then, so each pays its database round trips. The PostgreSQL server is not pinned:
 * compare figures of one kind of run with each other, e.g.
 *   sh scripts/test-postgres.sh run sh -c 'node bench/rest.ts --database "$MULTIDESK_TEST_POSTGRES"'
 *
 * `--profile DIR` starts the portal with `node --cpu-prof --cpu-prof-dir=DIR`: the profile of its
 * warm-up and measured runs together is written there when the portal stops.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seedDemo } from '@multidesk/portal/src/seed/demo.ts';
import { openDatabase } from '@multidesk/portal/src/store/database.ts';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { request } from 'undici';
import {
  autocannon as autocannonRun,
  type Figures,
  freePort,
  median,
  startPinned,
  startServe,
  stop,
  summary,
  type Target,
  waitUntilAnswering,
} from './serverLoad.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '1.5' },
    'warmup-seconds': { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'server-core': { type: 'string', default: '0' },
    'load-core': { type: 'string', default: '1' },
    profile: { type: 'string' },
    database: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args['warmup-seconds']);
const CONNECTIONS = Number(args.connections);
const SERVER_CORE = args['server-core'];
const LOAD_CORE = args['load-core'];
const GOAL_RATIO = 0.55;
const DEMO_PASSWORD = 'multidesk-demo';

/** One autocannon run on the load core against `server`. */
const autocannon = (server: ChildProcess, target: Target, seconds: number): Promise<Figures> =>
  autocannonRun([server.pid as number], target, { loadCore: LOAD_CORE, connections: CONNECTIONS, seconds });

async function json(reply: Awaited<ReturnType<typeof request>>): Promise<any> {
  const body = (await reply.body.json()) as any;
  if (reply.statusCode !== 200) throw new Error(`${reply.statusCode}: ${JSON.stringify(body)}`);
  return body;
}

/** anna's access token on acme, through the desktop's own sign-in (password, PKCE code, token). */
async function signIn(origin: string, host: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const { code } = await json(
    await request(`${origin}/oauth/desktop/login`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({
        login: 'anna@example.com',
        password: DEMO_PASSWORD,
        client_id: DESKTOP_CLIENT_ID,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        device_name: 'bench',
      }),
    }),
  );
  const tokens = await json(
    await request(`${origin}/oauth/token/`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DESKTOP_CLIENT_ID,
        code,
        code_verifier: verifier,
      }).toString(),
    }),
  );
  return tokens.access_token as string;
}

interface Server {
  child: ChildProcess;
  target: Target;
}

/** The portal as `serve` runs it, over a fresh copy of the demo data, with anna's access token. */
async function startPortal(dataDir: string): Promise<Server> {
  const location = args.database ?? dataDir;
  const db = await openDatabase(location);
  await seedDemo(db, Date.now());
  await db.destroy();

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const host = `acme.localhost:${port}`;
  const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  const child = startServe(SERVER_CORE, port, args.database ? ['--database', args.database] : ['--data', dataDir], profile);
  try {
    await waitUntilAnswering(`${origin}/`, child);
    const token = await signIn(origin, host);
    const target = { url: `${origin}/rest/user.current?auth=${token}`, host };
    const check = await json(await request(target.url, { headers: { host } }));
    if (check.result?.EMAIL !== 'anna@example.com') throw new Error(`user.current answered ${JSON.stringify(check)}`);
    return { child, target };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

async function startBare(): Promise<Server> {
  const port = await freePort();
  const child = startPinned(SERVER_CORE, ['bench/bareFastify.ts', '--port', String(port)]);
  const url = `http://127.0.0.1:${port}/ping`;
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { child, target: { url, host: `127.0.0.1:${port}` } };
}

const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-rest-'));
const servers: Server[] = [];
try {
  const portal = await startPortal(dataDir);
  servers.push(portal);
  const bare = await startBare();
  servers.push(bare);
  // Both wait on the server core; only the one under load runs. Warm-up first (JIT, caches), then
  // rounds of one measured run each, back to back, so that a pair shares the machine's conditions.
  await autocannon(portal.child, portal.target, WARMUP_SECONDS);
  await autocannon(bare.child, bare.target, WARMUP_SECONDS);
  const restRounds: Figures[] = [];
  const bareRounds: Figures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    restRounds.push(await autocannon(portal.child, portal.target, SECONDS));
    bareRounds.push(await autocannon(bare.child, bare.target, SECONDS));
  }
  const round3 = (n: number) => Math.round(n * 1000) / 1000;
  const ratios = restRounds.map((rest, i) => round3(rest.requests_per_second / (bareRounds[i] as Figures).requests_per_second));
  const ratio = round3(median(ratios));
  const rest = summary(restRounds);
  const baseline = summary(bareRounds);
  const report = {
    bench: 'rest',
    rounds: ROUNDS,
    seconds: SECONDS,
    warmup_seconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    server_core: SERVER_CORE,
    load_core: LOAD_CORE,
    node: process.version,
    store: args.database ? 'postgresql' : 'sqlite',
    user_current_token: rest,
    bare_fastify_json: baseline,
    round_ratios: ratios,
    throughput_ratio_rest_to_bare: ratio,
    goal_ratio: GOAL_RATIO,
  };
  console.log(JSON.stringify(report, null, 2));
  for (const [name, figures] of [
    ['user.current (token auth)', rest],
    ['bare Fastify JSON', baseline],
  ] as const) {
    console.log(`${name}: ${figures.requests_per_second} req/s`);
    console.log(`${name}: p50 ${figures.p50_ms} ms`);
    console.log(`${name}: p99 ${figures.p99_ms} ms`);
    console.log(`${name}: server CPU ${figures.server_cpu_us_per_request} µs a request, ${figures.server_cpu_busy_percent}% busy`);
  }
  console.log(`throughput ratio user.current / bare: ${ratio} (goal >= ${GOAL_RATIO}; rounds ${ratios.join(', ')})`);
  if (rest.errors || baseline.errors) console.log(`errors: user.current ${rest.errors}, bare ${baseline.errors}`);
} finally {
  await Promise.all(servers.map((server) => stop(server.child)));
  rmSync(dataDir, { recursive: true, force: true });
}
