import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The sign-in a code was exchanged for, so that a replay of the code can revoke it (RFC 6749 §4.1.2).
// No foreign key: SQLite cannot drop a column that has one, and a code outlives nothing it names.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oauth_codes').addColumn('family_id', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oauth_codes').dropColumn('family_id').execute();
}
