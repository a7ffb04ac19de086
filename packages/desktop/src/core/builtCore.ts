import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built core: `npm run build:core` bundles src/core/cli.ts and everything it imports (ours and
 * node_modules, but the native keyring) into one file, with the list of the files it was made from
 * (their size and modification time), so the launcher (main.ts) can tell whether it is up to date.
 */
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const BUILT_CORE_DIR = join(PACKAGE_DIR, 'dist/core');
/** Two folders below the package, as src/core/cli.ts is: its paths relative to itself hold in both. */
export const BUILT_CORE = join(BUILT_CORE_DIR, 'cli.cjs');
const INPUTS = join(BUILT_CORE_DIR, 'inputs.json');

type Inputs = [path: string, size: number, mtimeMs: number][];

/** Notes the files the built core was made from, as they are now. */
export function writeInputs(files: Iterable<string>): number {
  const inputs: Inputs = [];
  for (const file of new Set(files)) {
    const { size, mtimeMs } = statSync(file);
    inputs.push([relative(BUILT_CORE_DIR, file), size, mtimeMs]);
  }
  writeFileSync(INPUTS, JSON.stringify(inputs));
  return inputs.length;
}

/**
 * The built core exists and every file it was made from is as it was then (size and modification
 * time; `npm install` and any edit change them). Else the sources must run: never stale code.
 */
export function builtCoreIsFresh(): boolean {
  let inputs: Inputs;
  try {
    statSync(BUILT_CORE);
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8')) as Inputs;
  } catch {
    return false;
  }
  for (const [path, size, mtimeMs] of inputs) {
    try {
      const stat = statSync(resolve(BUILT_CORE_DIR, path));
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return inputs.length > 0;
}

/**
 * Node and V8 flags of the built core, measured with bench/desktop (the core's own memory, 10
 * accounts): a young generation of at most 1 MiB per semi-space (Node's default grows to 16; the
 * core's objects are few and mostly long-lived) and one V8 worker thread instead of one per core
 * (the core is idle most of the time).
 */
export const CORE_NODE_FLAGS = ['--max-semi-space-size=1', '--v8-pool-size=1'];

/** Names the variables the launcher added to the built core's environment, for it to take back. */
const ADDED = 'MULTIDESK_LAUNCHER_ADDED';

/** Where Node keeps the built core's compiled code between starts (beside it: the user who built it owns both). */
const COMPILE_CACHE = join(BUILT_CORE_DIR, 'compile-cache');

/**
 * The built core's environment, read when the process starts; the core takes what was added back
 * out at once (takeBackLauncherEnvironment), so the browser and anything else it starts get the
 * environment the user gave:
 * - glibc's malloc with two arenas, not up to eight per core (each thread that allocates gets its
 *   own otherwise, and keeps what it touched);
 * - glibc's trim threshold held at its initial 128 KiB: by default it rises each time a large block
 *   is freed (up to 64 MiB), and the top of the heap freed after start-up's large, short-lived
 *   allocations stays with the process. bench/desktop, 10 accounts, three alternating pairs: the
 *   core at 58.6 to 61.3 MiB PSS instead of 65.1 to 67.7, the whole app 492 to 494 MiB instead of
 *   501 (setting the mmap threshold as well changed nothing more);
 * - Node's compile cache: the bundle (1.6 MB) is compiled once, not at every start (on this
 *   machine, six alternating runs of `cli.cjs --help` took 0.15 to 0.19 s without it, 0.11 to 0.14 s
 *   with it).
 */
export function coreEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added: NodeJS.ProcessEnv = {};
  if (env.MALLOC_ARENA_MAX === undefined) added.MALLOC_ARENA_MAX = '2';
  if (env.MALLOC_TRIM_THRESHOLD_ === undefined) added.MALLOC_TRIM_THRESHOLD_ = String(128 * 1024);
  if (env.NODE_COMPILE_CACHE === undefined) added.NODE_COMPILE_CACHE = COMPILE_CACHE;
  const names = Object.keys(added);
  return names.length === 0 ? env : { ...env, ...added, [ADDED]: names.join(',') };
}

/** Removes what coreEnvironment added from this process's environment (its children's). */
export function takeBackLauncherEnvironment(): void {
  for (const name of process.env[ADDED]?.split(',') ?? []) delete process.env[name];
  delete process.env[ADDED];
}
