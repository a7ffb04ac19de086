import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('qr_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('poll_token_hash', 'text', (c) => c.notNull())
    .addColumn('portal_id', 'integer', (c) => c.references('portals.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('device_name', 'text', (c) => c.notNull())
    .addColumn('device_os', 'text', (c) => c.notNull())
    .addColumn('app_version', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('approver_user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('approver_member_id', 'integer', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('redeemed_at', 'bigint')
    .execute();
  await db.schema.createIndex('qr_requests_expires').on('qr_requests').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('qr_requests').execute();
}
