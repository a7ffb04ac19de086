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
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Unordered: migrations written side by side may land in any order, and a database that ran a
  // later-named one must still take an earlier-named one that arrived after it.
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The connection behind each database `openDatabase` opened: it knows when the data last changed. */
const connections = new WeakMap<Db, NodeSqliteDatabase>();

/** Opens (creating if needed) the portal database in `dataDir` and brings it to the latest schema. */
export async function openDatabase(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let connection: NodeSqliteDatabase | undefined;
  const db = new Kysely<Database>({
    dialect: createSqliteDialect(join(dataDir, 'portal.sqlite'), (opened) => {
      connection = opened;
    }),
  });
  await migrateToLatest(db);
  if (connection) connections.set(db, connection);
  return db;
}

/**
 * A number that moves whenever the database may have changed (see `NodeSqliteDatabase.version`),
 * or null for a database this module did not open: then nothing may be cached from it.
 */
export function databaseVersion(db: Db): (() => number) | null {
  const connection = connections.get(db);
  return connection ? () => connection.version() : null;
}
