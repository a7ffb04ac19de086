import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chats')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    // Private dialogs only: `<lower member id>:<higher member id>`, so that a pair has one dialog.
    .addColumn('private_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('chats_portal_private_key', ['portal_id', 'private_key'])
    .execute();

  await db.schema
    .createTable('chat_members')
    .addColumn('chat_id', 'integer', (c) => c.notNull().references('chats.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('last_read_message_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_members_pk', ['chat_id', 'member_id'])
    .execute();
  await db.schema.createIndex('chat_members_member').on('chat_members').column('member_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('chat_id', 'integer', (c) => c.notNull().references('chats.id').onDelete('cascade'))
    .addColumn('author_member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('client_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    // A retried send with the same client id finds the first message instead of adding another.
    .addUniqueConstraint('messages_client_id', ['chat_id', 'author_member_id', 'client_message_id'])
    .execute();
  await db.schema.createIndex('messages_chat_id').on('messages').columns(['chat_id', 'id']).execute();

  // Each user's events, numbered by a per-user sequence that never goes back, kept for replay.
  await db.schema
    .createTable('realtime_sequences')
    .addColumn('member_id', 'integer', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('realtime_events')
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('realtime_events_pk', ['member_id', 'seq'])
    .execute();
  await db.schema.createIndex('realtime_events_created').on('realtime_events').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['realtime_events', 'realtime_sequences', 'messages', 'chat_members', 'chats']) {
    await db.schema.dropTable(table).execute();
  }
}
