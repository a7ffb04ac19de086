import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as initial from './migrations/2026-11-25T00-initial.ts';
import * as qrRequests from './migrations/2026-11-25T01-qr-requests.ts';
import * as sso from './migrations/2026-11-25T02-sso.ts';
import * as chats from './migrations/2026-11-25T03-chats.ts';
import * as tasks from './migrations/2026-11-25T04-tasks.ts';
import * as codeFamily from './migrations/2026-12-03T00-code-family.ts';
import * as oauthApps from './migrations/2026-12-03T01-oauth-apps.ts';
import * as firstPartyPull from './migrations/2026-12-03T02-first-party-pull.ts';
import * as pull from './migrations/2026-12-03T03-pull.ts';
import * as unreadCounts from './migrations/2026-12-06T00-unread-counts.ts';
import { createPostgresDialect, describePostgresUrl } from './postgresDialect.ts';
import type { Database } from './schema.ts';
import { createSqliteDialect, type NodeSqliteDatabase } from './sqliteDialect.ts';

export type Db = Kysely<Database>;

/** Listed by hand, in order: a bundle-free runtime cannot glob a folder of TypeScript reliably. */
const migrations: Record<string, Migration> = {
  '2026-11-25T00-initial': initial,
  '2026-11-25T01-qr-requests': qrRequests,
  '2026-11-25T02-sso': sso,
  '2026-11-25T03-chats': chats,
  '2026-11-25T04-tasks': tasks,
  '2026-12-03T00-code-family': codeFamily,
  '2026-12-03T01-oauth-apps': oauthApps,
  '2026-12-03T02-first-party-pull': firstPartyPull,
  '2026-12-03T03-pull': pull,
  '2026-12-06T00-unread-counts': unreadCounts,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

/** The database cannot be used: unreachable, refused, or migrated further than this version knows. One line, safe to print. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1);

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Unordered: migrations written side by side may land in any order, and a database that ran a
  // later-named one must still take an earlier-named one that arrived after it.
  const { error, results } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /previously executed migration (\S+) is missing/.exec(message)?.[1];
  if (unknown) {
    throw new DatabaseOpenError(
      `the database was migrated by a newer Multidesk (migration ${unknown}); this version knows migrations up to ${LATEST_MIGRATION}: upgrade Multidesk`,
    );
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) throw new Error(`database migration ${failed.migrationName} failed: ${message}`);
  // Not a migration's own failure: the database could not be reached or read.
  if (error) throw error;
}

/** The connection behind each database `openDatabase` opened: it knows when the data last changed. */
const connections = new WeakMap<Db, NodeSqliteDatabase>();

/** True for `postgres://…` and `postgresql://…`: a PostgreSQL database rather than a SQLite folder. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the portal database and brings it to the latest schema: a PostgreSQL URL
 * (`postgres://user:pass@host:port/db`), or else a folder for the embedded SQLite file (created
 * if needed). `poolSize` bounds PostgreSQL connections (default 10).
 */
export async function openDatabase(location: string, options: { poolSize?: number } = {}): Promise<Db> {
  return isPostgresUrl(location) ? openPostgres(location, options.poolSize) : openSqlite(location);
}

async function openSqlite(dataDir: string): Promise<Db> {
  const file = join(dataDir, 'portal.sqlite');
  let connection: NodeSqliteDatabase | undefined;
  const db = new Kysely<Database>({
    dialect: createSqliteDialect(file, (opened) => {
      connection = opened;
    }),
  });
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    if (err instanceof DatabaseOpenError) throw err;
    // A folder that cannot be made or written, a file that is not a database: one line, as for PostgreSQL.
    throw new DatabaseOpenError(`cannot open the SQLite database ${file}: ${reason(err)}`);
  }
  if (connection) connections.set(db, connection);
  return db;
}

/**
 * Several instances may open one PostgreSQL database at once: Kysely's migrator takes an advisory
 * lock, so one of them migrates and the others find the work done. Nothing is cached from it
 * (`databaseVersion` is null): another instance's writes cannot be seen coming.
 */
async function openPostgres(url: string, poolSize: number | undefined): Promise<Db> {
  const db = new Kysely<Database>({ dialect: createPostgresDialect(url, poolSize === undefined ? {} : { poolSize }) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    if (err instanceof DatabaseOpenError) throw err;
    throw new DatabaseOpenError(`cannot open the PostgreSQL database ${describePostgresUrl(url)}: ${reason(err)}`);
  }
  return db;
}

/** The first line of an error's message; a refused connection to `localhost` (an AggregateError) has only a code. */
function reason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return message || code || 'unknown error';
}

/**
 * A number that moves whenever the database may have changed (see `NodeSqliteDatabase.version`),
 * or null when no such number exists (a PostgreSQL database, whose other instances write unseen,
 * or a database this module did not open): then nothing may be cached from it.
 */
export function databaseVersion(db: Db): (() => number) | null {
  const connection = connections.get(db);
  return connection ? () => connection.version() : null;
}
