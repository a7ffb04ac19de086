/**
 * What the server benchmarks share: servers as processes pinned to a core, and autocannon runs
 * against them from a process pinned to another, with the servers' CPU time read from /proc.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';

const root = join(import.meta.dirname, '..');
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const run = promisify(execFile);

export interface Target {
  url: string;
  host: string;
}

export interface Figures {
  requests: number;
  errors: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  /** The servers' CPU time (user + system) during the measured run, per request served. */
  server_cpu_us_per_request: number;
  /** That CPU time as a share of the run: near 100, the server was the bottleneck; well below, the load was. */
  server_cpu_busy_percent: number;
}

/** Clock ticks a second in /proc/PID/stat (USER_HZ; 100 on Linux everywhere). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far: Linux's /proc/PID/stat, fields 14 and 15. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A port nobody listens on now (the server binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/** `node …` pinned to one core, from the repository's root. */
export function startPinned(core: string | undefined, nodeArgs: string[]): ChildProcess {
  return spawn('taskset', ['-c', String(core), process.execPath, ...nodeArgs], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

const CLI = join(root, 'packages/portal/src/cli.ts');

/**
 * Node's flags for the portal as it ships (`npm run portal`, README's "Run at scale"): V8's young
 * generation capped at 8 MiB. Uncapped it grows to 64 MiB under a burst (thousands of sockets
 * opening) and keeps it, 13 KiB for each of 5,000 idle sockets an instance holds (bench/scale);
 * and bench/rest measured a slower process in about half of its runs (user.current at 26.2 to 26.6
 * µs of CPU a request instead of 23.2 to 23.5), never with the cap (four runs at 23.3 to 23.5).
 */
const PORTAL_NODE_FLAGS = ['--max-semi-space-size=4'];

/**
 * The CLI's `serve` as the benches run it, pinned to `core` on `port`, with the flags it ships with:
 * no per-user REST limit and warnings only (a bench measures the server, not the rate limiter or
 * log lines). `options` name the store and the rest; `nodeOptions` go to node as well (a profiler).
 */
export function startServe(core: string | undefined, port: number, options: string[], nodeOptions: string[] = []): ChildProcess {
  return startPinned(core, [
    ...PORTAL_NODE_FLAGS,
    ...nodeOptions,
    CLI,
    'serve',
    '--port',
    String(port),
    ...options,
    '--rest-limit',
    'off',
    '--log-level',
    'warn',
  ]);
}

export async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const reply = await request(url);
      await reply.body.dump();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within 30 s`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface LoadOptions {
  /** The core autocannon runs on. */
  loadCore: string | undefined;
  /** Keep-alive connections, one request in flight on each. */
  connections: number;
  seconds: number;
}

/**
 * One autocannon run in its own process on the load core against `target`; its figures, with the
 * CPU time of `serverPids` (every process that serves the target: instances, a balancer) summed.
 */
export async function autocannon(serverPids: readonly number[], target: Target, options: LoadOptions): Promise<Figures> {
  const cpu = () => serverPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const cpuBefore = cpu();
  const { stdout } = await run(
    'taskset',
    [
      '-c',
      String(options.loadCore),
      process.execPath,
      autocannonBin,
      '--json',
      '--connections',
      String(options.connections),
      '--duration',
      String(options.seconds),
      '--headers',
      `host=${target.host}`,
      target.url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    latency: { p50: number; p99: number };
  };
  const used = cpu() - cpuBefore;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    requests_per_second: round(result['2xx'] / result.duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    server_cpu_us_per_request: round((used * 1e6) / (result['2xx'] + result.non2xx)),
    server_cpu_busy_percent: Math.round((used / result.duration) * 100),
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Each figure's median over the rounds, and every round's requests/s. */
export function summary(rounds: Figures[]) {
  // An even count of rounds takes the mean of the middle two: rounded, not 10249.255000000001.
  const figure = (key: keyof Figures) => Math.round(median(rounds.map((round) => round[key])) * 1000) / 1000;
  return {
    requests_per_second: figure('requests_per_second'),
    p50_ms: figure('p50_ms'),
    p99_ms: figure('p99_ms'),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    server_cpu_us_per_request: figure('server_cpu_us_per_request'),
    server_cpu_busy_percent: figure('server_cpu_busy_percent'),
    rounds_requests_per_second: rounds.map((round) => round.requests_per_second),
  };
}
