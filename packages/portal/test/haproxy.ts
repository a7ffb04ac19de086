import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** A private HAProxy in front of portal instances, as `deploy/haproxy.cfg` sets one up. */
export interface Balancer {
  port: number;
  /** The runtime API (`set server instances/<name> state …`): what an operator does to drain an instance. */
  setState(server: string, state: ServerState): Promise<void>;
  /** `UP`, `DOWN`, `MAINT`… as the health checks see the server now. */
  status(server: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Like deploy/haproxy.cfg, with quick health checks (every 200 ms, down after two failures) and each
 * response stamped `x-served-by: <server>`, so that a test knows which instance answered, the
 * WebSocket upgrade included.
 */
function config(dir: string, port: number, servers: readonly { name: string; port: number }[]): string {
  return `global
  stats socket ${join(dir, 'admin.sock')} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout tunnel 1h
  retries 2
  option redispatch
frontend portals
  bind 127.0.0.1:${port}
  option forwardfor
  default_backend instances
backend instances
  balance roundrobin
  option httpchk
  http-check send meth GET uri /readyz ver HTTP/1.1 hdr host localhost
  http-check expect status 200
  http-response set-header x-served-by %s
  default-server inter 200ms fall 2 rise 1
${servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`).join('\n')}
`;
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

/** Starts HAProxy in the foreground (`-db`) on `port`; resolves once its admin socket answers. */
export async function startBalancer(port: number, servers: readonly { name: string; port: number }[]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  const socketPath = join(dir, 'admin.sock');
  writeFileSync(file, config(dir, port, servers));
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
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
