import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
// Each member's unread count in a chat, kept on their membership row rather than counted again for
// every message: a new message counted the unread messages of every member of its chat, so a
// message into a chat where someone had 50,000 unread read 50,000 rows for them. Filled here with
// the count the server used to make: after the read mark, by someone else, not deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('chat_members')
    .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .updateTable('chat_members')
    .set({
      unread_count: sql`(select count(*) from messages m where m.chat_id = chat_members.chat_id and m.id > chat_members.last_read_message_id and m.author_member_id <> chat_members.member_id and m.deleted_at is null)`,
    })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_members').dropColumn('unread_count').execute();
}
