import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Push & Pull: the server's signing key, the users' signed channels (12 h each), the im.v2.Event
// subscriptions, and a fresh event log: events are now stored as Pull messages, and the old
// log's events (the first realtime protocol's shapes) are not replayed to anyone.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('pull_channels')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id').onDelete('cascade'))
    // Null for a portal's shared channel.
    .addColumn('member_id', 'integer', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('public_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pull_channels_owner')
    .on('pull_channels')
    .columns(['portal_id', 'member_id', 'type', 'expires_at'])
    .execute();
  await db.schema
    .createTable('im_event_subscriptions')
    .addColumn('member_id', 'integer', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    // Events after this seq are recorded for the subscriber; none after until_seq once unsubscribed.
    .addColumn('from_seq', 'bigint', (c) => c.notNull())
    .addColumn('until_seq', 'bigint')
    // Events below this eventId were confirmed (`offset`) and are gone for the subscriber.
    .addColumn('acked_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.deleteFrom('realtime_events').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('im_event_subscriptions').execute();
  await db.schema.dropTable('pull_channels').execute();
  await db.schema.dropTable('server_keys').execute();
}
