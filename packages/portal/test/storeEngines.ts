import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The engines the store runs on, for suites that run once per engine (as Hono runs one suite
 * against every router). Each `create()` gives a new, empty database; open it with
 * `openDatabase(location)` as often as wanted: each open is another instance's connection.
 */
export interface StoreEngine {
  name: 'sqlite' | 'postgres';
  /** Set when the engine cannot run here: the suite is skipped with this reason. */
  skip?: string;
  create(): Promise<{ location: string; remove(): Promise<void> }>;
  /** Stops what the engine started for the suite (a private server). */
  close(): void;
}

const SCRIPT = fileURLToPath(new URL('../../../scripts/test-postgres.sh', import.meta.url));

export const sqliteEngine: StoreEngine = {
  name: 'sqlite',
  create: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-store-'));
    return { location: dir, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  close: () => {},
};

/**
 * PostgreSQL: the server at `MULTIDESK_TEST_POSTGRES` (a superuser's URL; `scripts/test-postgres.sh
 * run` sets it), or else a private one started here by that script and stopped when the process
 * ends. Without PostgreSQL installed the engine is skipped, unless `MULTIDESK_REQUIRE_POSTGRES=1`
 * (the test command sets it) makes that a failure.
 */
export function postgresEngine(): StoreEngine {
  let server: { adminUrl: string; stop(): void } | undefined;
  const given = process.env.MULTIDESK_TEST_POSTGRES;
  const start = (): { adminUrl: string; stop(): void } => {
    if (given) return { adminUrl: given, stop: () => {} };
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-pg-'));
    const started = spawnSync('sh', [SCRIPT, 'start', dir], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`PostgreSQL did not start: ${started.stderr.trim()}`);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      spawnSync('sh', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
    };
    process.once('exit', stop);
    return { adminUrl: started.stdout.trim(), stop };
  };
  const installed = given !== undefined || spawnSync('sh', [SCRIPT, 'check']).status === 0;
  const skip =
    installed || process.env.MULTIDESK_REQUIRE_POSTGRES === '1'
      ? undefined
      : 'PostgreSQL 15+ is not installed (sh scripts/test-postgres.sh install)';
  return {
    name: 'postgres',
    ...(skip ? { skip } : {}),
    create: async () => {
      server ??= start();
      const name = `multidesk_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.adminUrl);
      url.pathname = `/${name}`;
      return {
        location: url.toString(),
        remove: async () => {
          const client = new pg.Client({ connectionString: server?.adminUrl });
          await client.connect();
          try {
            await client.query(`drop database if exists ${name} with (force)`);
          } finally {
            await client.end();
          }
        },
      };
    },
    close: () => server?.stop(),
  };
}
