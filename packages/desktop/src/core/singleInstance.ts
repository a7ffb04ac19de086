import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One running core per profile. The first start creates `instance.lock` in the profile (its pid,
 * created exclusively) and listens on a local socket there; a later start reaches it through that
 * socket, hands it its command line (the first one brings its windows forward) and prints what it
 * answers. A lock nobody answers for is stale when its process is gone (a crash, a SIGKILL) or,
 * should the pid have been reused, once it is older than a start takes: it never blocks a start.
 */
export type InstanceHandler = (argv: string[]) => Promise<string[]>;

export type Instance =
  /** This process is the profile's instance: release() when it stops (also done at exit). */
  | { first: true; release(): void }
  /** Another process is: what it answered, for this one to print before it exits. */
  | { first: false; lines: string[] };

export interface InstanceOptions {
  /** A lock held by a live pid that answers on no socket is stale after this long (a reused pid). */
  staleAfterMs?: number;
  /** How long to wait for an answer from the instance that holds the lock. */
  answerTimeoutMs?: number;
}

const LOCK_FILE = 'instance.lock';
/** The locks this process holds: a lock with this pid and none of these is from an earlier life. */
const held = new Set<string>();
/** sun_path holds 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 100;

export function instanceSocketPath(profileDir: string): string {
  const inProfile = join(resolve(profileDir), 'instance.sock');
  if (process.platform === 'win32') return `\\\\.\\pipe\\multidesk-${hashOf(inProfile)}`;
  if (Buffer.byteLength(inProfile) <= MAX_SOCKET_PATH) return inProfile;
  // A deep profile: a per-user runtime folder (0700) where there is one.
  return join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), `multidesk-${hashOf(inProfile)}.sock`);
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends argv to the instance listening at path; its answer, or null when nobody answers. */
function ask(path: string, argv: string[], timeoutMs: number): Promise<string[] | null> {
  return new Promise((done) => {
    const socket = createConnection(path);
    let reply = '';
    const finish = (lines: string[] | null) => {
      clearTimeout(timer);
      socket.destroy();
      done(lines);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ argv })}\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\n');
      if (end < 0) return;
      try {
        const { lines } = JSON.parse(reply.slice(0, end)) as { lines?: unknown };
        finish(Array.isArray(lines) ? lines.map(String) : []);
      } catch {
        finish([]);
      }
    });
    socket.once('error', () => finish(null));
    socket.once('close', () => finish(null));
  });
}

function serve(path: string, handler: InstanceHandler): Promise<Server> {
  const server = createServer((socket) => {
    let request = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      request += chunk;
      const end = request.indexOf('\n');
      if (end < 0) {
        if (request.length > 1_000_000) socket.destroy();
        return;
      }
      let argv: string[] = [];
      try {
        const parsed = JSON.parse(request.slice(0, end)) as { argv?: unknown };
        if (Array.isArray(parsed.argv)) argv = parsed.argv.map(String);
      } catch {}
      socket.removeAllListeners('data');
      handler(argv)
        .catch((error: unknown) => [`Multidesk is running but could not bring its windows forward: ${(error as Error).message}`])
        .then((lines) => socket.end(`${JSON.stringify({ lines })}\n`));
    });
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      if (process.platform !== 'win32') chmodSync(path, 0o600);
      done(server);
    });
  });
}

/** Takes the lock; false when a lock file is there already. */
function createLock(path: string, content: string): boolean {
  try {
    writeFileSync(path, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes a stale lock, but only the one that was judged stale: another start may have replaced it
 * with its own meanwhile, and that one is put back (link fails if yet another lock is there).
 */
function removeStaleLock(path: string, judged: string): void {
  const moved = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, moved);
  } catch {
    return;
  }
  try {
    if (readFileSync(moved, 'utf8') !== judged) linkSync(moved, path);
  } catch {}
  rmSync(moved, { force: true });
}

function readLock(path: string): { content: string; pid: number; ageMs: number } | null {
  try {
    const content = readFileSync(path, 'utf8');
    const ageMs = Date.now() - statSync(path).mtimeMs;
    const pid = Number((JSON.parse(content) as { pid?: unknown }).pid);
    return { content, pid: Number.isInteger(pid) && pid > 0 ? pid : 0, ageMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written or foreign: stale unless it is young (its writer may be writing it now).
    try {
      return { content: readFileSync(path, 'utf8'), pid: 0, ageMs: Date.now() - statSync(path).mtimeMs };
    } catch {
      return null;
    }
  }
}

/**
 * Becomes the profile's instance, or finds the one that is and hands it argv. The profile folder
 * must exist.
 */
export async function acquireInstance(
  profileDir: string,
  argv: string[],
  handler: InstanceHandler,
  options: InstanceOptions = {},
): Promise<Instance> {
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
  const lockPath = join(resolve(profileDir), LOCK_FILE);
  const socketPath = instanceSocketPath(profileDir);
  const mine = JSON.stringify({ pid: process.pid, started: new Date().toISOString() });
  for (;;) {
    const answer = await ask(socketPath, argv, answerTimeoutMs);
    if (answer) return { first: false, lines: answer };
    if (createLock(lockPath, mine)) {
      // Whatever socket file is there belongs to no live instance: the lock's holder owns the path.
      if (process.platform !== 'win32') rmSync(socketPath, { force: true });
      let server: Server;
      try {
        server = await serve(socketPath, handler);
      } catch (error) {
        rmSync(lockPath, { force: true });
        throw error;
      }
      held.add(lockPath);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        held.delete(lockPath);
        server.close();
        if (process.platform !== 'win32') rmSync(socketPath, { force: true });
        try {
          if (readFileSync(lockPath, 'utf8') === mine) rmSync(lockPath, { force: true });
        } catch {}
      };
      process.on('exit', release);
      return { first: true, release };
    }
    const lock = readLock(lockPath);
    if (!lock) continue;
    // Nobody answered: a holder that is gone is stale; a live one is starting (it listens right
    // after taking the lock), unless the lock is older than any start (its pid was reused).
    const gone = lock.pid > 0 && (lock.pid === process.pid ? !held.has(lockPath) : !alive(lock.pid));
    if (gone || lock.ageMs > staleAfterMs || (lock.pid === 0 && lock.ageMs > 1_000)) {
      removeStaleLock(lockPath, lock.content);
      continue;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
