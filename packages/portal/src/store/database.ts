import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as initial from './migrations/2026-11-25T00-initial.ts';
import * as qrRequests from './migrations/2026-11-25T01-qr-requests.ts';
import * as tasks from './migrations/2026-11-25T04-tasks.ts';
import type { Database } from './schema.ts';
import { createSqliteDialect } from './sqliteDialect.ts';

export type Db = Kysely<Database>;

/** Listed by hand, in order: a bundle-free runtime cannot glob a folder of TypeScript reliably. */
const migrations: Record<string, Migration> = {
  '2026-11-25T00-initial': initial,
  '2026-11-25T01-qr-requests': qrRequests,
  '2026-11-25T04-tasks': tasks,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Opens (creating if needed) the portal database in `dataDir` and brings it to the latest schema. */
export async function openDatabase(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Kysely<Database>({ dialect: createSqliteDialect(join(dataDir, 'portal.sqlite')) });
  await migrateToLatest(db);
  return db;
}
