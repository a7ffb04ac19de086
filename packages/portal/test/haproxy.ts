import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/test-haproxy.sh', import.meta.url));

/** Set when HAProxy is not installed: tests that need it are skipped with this reason. */
export const haproxySkip: string | undefined =
  spawnSync('sh', [SCRIPT, 'check']).status === 0 ? undefined : 'HAProxy is not installed (sh scripts/test-haproxy.sh install)';

/** A server's administrative state, as `set server … state` takes it: `drain` takes no new connections. */
export type ServerState = 'ready' | 'drain' | 'maint';

/** A private HAProxy in front of portal instances, set up by `deploy/haproxy.cfg`. */
export interface Balancer {
  port: number;
  /** HAProxy's process (for its memory and CPU time in benchmarks). */
  pid: number;
  /** The runtime API (`set server instances/<name> state …`): what an operator does to drain an instance. */
  setState(server: string, state: ServerState): Promise<void>;
  /** `UP`, `DOWN`, `MAINT`… as the health checks see the server now. */
  status(server: string): Promise<string>;
  close(): Promise<void>;
}

const SAMPLE = fileURLToPath(new URL('../../../deploy/haproxy.cfg', import.meta.url));

/** Replaces what `pattern` matches in the sample, failing loudly when the sample no longer has it. */
function rewrite(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`deploy/haproxy.cfg has no line matching ${pattern}`);
  return text.replace(pattern, replacement);
}

/**
 * deploy/haproxy.cfg as shipped, with what only a test changes: a loopback port, the admin socket in
 * `dir`, no change of user (tests need not run as root), quick health checks (every 200 ms, down
 * after two failures) unless `shippedChecks`, these servers, and each response stamped
 * `x-served-by: <server>` so that a test knows which instance answered, the WebSocket upgrade
 * included.
 */
function config(dir: string, port: number, servers: readonly { name: string; port: number }[], shippedChecks = false): string {
  let text = readFileSync(SAMPLE, 'utf8');
  text = rewrite(text, /^\s*(user|group) .*\n/gm, '');
  text = rewrite(text, /^(\s*)stats socket .*$/m, `$1stats socket ${join(dir, 'admin.sock')} level admin`);
  text = rewrite(text, /^(\s*)bind :80$/m, `$1bind 127.0.0.1:${port}`);
  if (!shippedChecks)
    text = rewrite(text, /^(\s*)default-server inter \S+ fall \d+ rise \d+/m, '$1default-server inter 200ms fall 2 rise 1');
  text = rewrite(
    text,
    /^(\s*server .*\n)+/m,
    `  http-response set-header x-served-by %s\n${servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check\n`).join('')}`,
  );
  return text;
}

/** Sends one runtime API command over the admin socket and returns the answer. */
async function command(socketPath: string, text: string): Promise<string> {
  const socket = connect(socketPath);
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  socket.end(`${text}\n`);
  await once(socket, 'close');
  return answer;
}

/** How a benchmark runs HAProxy. */
export interface BalancerOptions {
  /** Pinned to this core (`taskset -c`). */
  core?: string;
  /** The sample's own health-check timing instead of a test's quick one: a brief stall takes no instance out. */
  shippedChecks?: boolean;
}

/** Starts HAProxy in the foreground (`-db`) on `port`; resolves once its admin socket answers. */
export async function startBalancer(
  port: number,
  servers: readonly { name: string; port: number }[],
  options: BalancerOptions = {},
): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  const socketPath = join(dir, 'admin.sock');
  writeFileSync(file, config(dir, port, servers, options.shippedChecks));
  const argv = ['haproxy', '-db', '-f', file];
  // taskset execs what it runs: the child is HAProxy itself.
  const pinned = options.core === undefined ? argv : ['taskset', '-c', options.core, ...argv];
  const child: ChildProcess = spawn(pinned[0] as string, pinned.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  // A test run that dies must not leave a balancer listening.
  process.once('exit', () => child.kill('SIGKILL'));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) break;
    if ((await command(socketPath, 'show info').catch(() => '')).includes('Name: HAProxy')) {
      return {
        port,
        pid: child.pid as number,
        setState: async (server, state) => {
          const answer = await command(socketPath, `set server instances/${server} state ${state}`);
          if (answer.trim() !== '') throw new Error(`haproxy: ${answer.trim()}`);
        },
        status: async (server) => {
          const csv = await command(socketPath, 'show stat');
          const row = csv.split('\n').find((line) => line.startsWith(`instances,${server},`));
          // `show stat` is CSV with status in the 18th column.
          return row?.split(',')[17] ?? 'unknown';
        },
        close: stop,
      };
    }
    if (i === 100) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`HAProxy did not start: ${stderr.trim()}`);
}
