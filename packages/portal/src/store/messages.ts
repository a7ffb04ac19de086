import { countMessage, lockChat, touchChat } from './chats.ts';
import { prepared } from './preparedQuery.ts';
import type { Executor, Message } from './schema.ts';

export interface NewMessage {
  chatId: number;
  authorMemberId: number;
  text: string;
  clientMessageId: string | null;
  now: number;
}

const insertMessageQuery = prepared(
  (db, p: { chatId: number; authorId: number; text: string; clientMessageId: string | null; now: number }) =>
    db
      .insertInto('messages')
      .values({
        chat_id: p.chatId,
        author_member_id: p.authorId,
        text: p.text,
        client_message_id: p.clientMessageId,
        created_at: p.now,
        edited_at: null,
        deleted_at: null,
      })
      .onConflict((oc) => oc.columns(['chat_id', 'author_member_id', 'client_message_id']).doNothing())
      .returningAll(),
);

/**
 * Adds a message, or finds the one this author already sent to this chat with the same client id
 * (a retried send): `created` tells which. A new message moves the chat's last activity and is
 * unread for every other member.
 */
export async function insertMessage(db: Executor, message: NewMessage): Promise<{ message: Message; created: boolean }> {
  if (message.clientMessageId !== null) {
    const existing = await findMessageByClientId(db, message.chatId, message.authorMemberId, message.clientMessageId);
    if (existing) return { message: existing, created: false };
  }
  const [inserted] = (
    await insertMessageQuery(db, {
      chatId: message.chatId,
      authorId: message.authorMemberId,
      text: message.text,
      clientMessageId: message.clientMessageId,
      now: message.now,
    })
  ).rows;
  if (inserted) {
    await touchChat(db, message.chatId, message.now);
    await countMessage(db, inserted, 1);
    return { message: inserted, created: true };
  }
  // Another request with the same client id won the race.
  const winner = await findMessageByClientId(db, message.chatId, message.authorMemberId, message.clientMessageId as string);
  if (!winner) throw new Error('message with a conflicting client id vanished');
  return { message: winner, created: false };
}

export async function findMessageByClientId(
  db: Executor,
  chatId: number,
  authorMemberId: number,
  clientMessageId: string,
): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('author_member_id', '=', authorMemberId)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
}

export async function findMessage(db: Executor, id: number): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface MessagePageQuery {
  chatId: number;
  /** Older than this id (paging back). */
  lastId?: number;
  /** Newer than this id (paging forward; 0 from the first message). */
  firstId?: number;
  limit: number;
}

/**
 * A page of a chat's messages, newest first. With `firstId` the page is the `limit` messages right
 * after it (still answered newest first).
 */
export async function listMessages(db: Executor, query: MessagePageQuery): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('chat_id', '=', query.chatId);
  if (query.firstId !== undefined) {
    const rows = await q.where('id', '>', query.firstId).orderBy('id', 'asc').limit(query.limit).execute();
    return rows.reverse();
  }
  if (query.lastId !== undefined) q = q.where('id', '<', query.lastId);
  return q.orderBy('id', 'desc').limit(query.limit).execute();
}

/** The newest message of each chat. */
export async function lastMessages(db: Executor, ids: readonly number[]): Promise<Map<number, Message>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.chat_id, row]));
}

const newestIdQuery = (db: Executor, p: { chatId: number }) =>
  db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('chat_id', '=', p.chatId);
const lastIdQuery = prepared(newestIdQuery);
const lastIdBeforeQuery = prepared((db, p: { chatId: number; before: number }) => newestIdQuery(db, p).where('id', '<', p.before));

/** The newest message id of the chat (below `before`, when given); 0 when there is none. */
export async function lastMessageId(db: Executor, chatId: number, before?: number): Promise<number> {
  const { rows } = await (before === undefined ? lastIdQuery(db, { chatId }) : lastIdBeforeQuery(db, { chatId, before }));
  return Number(rows[0]?.id ?? 0);
}

export async function setMessageText(db: Executor, id: number, text: string, now: number): Promise<Message> {
  return db.updateTable('messages').set({ text, edited_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * A deleted message keeps its id and place, without its text, and is no longer unread for anyone.
 * Undefined when it was deleted already (by a request at the same time, too): counted once.
 */
export async function markMessageDeleted(db: Executor, id: number, now: number): Promise<Message | undefined> {
  const deleted = await db
    .updateTable('messages')
    .set({ text: '', deleted_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (deleted) {
    await lockChat(db, deleted.chat_id);
    await countMessage(db, deleted, -1);
  }
  return deleted;
}

/** How many messages the chat has had (deleted ones keep their place), and the member's first unread one (0: none). */
export async function historyOf(
  db: Executor,
  chatId: number,
  memberId: number,
  lastReadId: number,
): Promise<{ count: number; firstUnreadId: number }> {
  // Two lookups in the (chat_id, id) index: the count reads only the index, and the first unread
  // is found from the read mark on, not by reading every message of the chat.
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('messages').select(eb.fn.countAll<number | bigint>().as('n')).where('chat_id', '=', chatId).as('count'),
      eb
        .selectFrom('messages')
        .select('id')
        .where('chat_id', '=', chatId)
        .where('id', '>', lastReadId)
        .where('author_member_id', '<>', memberId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .limit(1)
        .as('first_unread'),
    ])
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), firstUnreadId: Number(row?.first_unread ?? 0) };
}
