import { sql } from 'kysely';
import { prepared } from './preparedQuery.ts';
import type { Chat, ChatMember, ChatTable, Executor, Message } from './schema.ts';

/** The one dialog of two members (or of a member with themself): `<lower id>:<higher id>`. */
export function privateKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

export async function findChat(db: Executor, portalId: number, chatId: number): Promise<Chat | undefined> {
  return db.selectFrom('chats').selectAll().where('portal_id', '=', portalId).where('id', '=', chatId).executeTakeFirst();
}

const privateChatQuery = prepared((db, p: { portalId: number; key: string }) =>
  db.selectFrom('chats').selectAll().where('portal_id', '=', p.portalId).where('private_key', '=', p.key),
);

export async function findPrivateChat(db: Executor, portalId: number, a: number, b: number): Promise<Chat | undefined> {
  return (await privateChatQuery(db, { portalId, key: privateKey(a, b) })).rows[0];
}

export interface NewChat {
  portalId: number;
  type: ChatTable['type'];
  title: string;
  ownerMemberId: number;
  memberIds: readonly number[];
  now: number;
}

export async function createChat(db: Executor, chat: NewChat): Promise<Chat> {
  const created = await db
    .insertInto('chats')
    .values({
      portal_id: chat.portalId,
      type: chat.type,
      title: chat.title,
      owner_member_id: chat.ownerMemberId,
      private_key: null,
      created_at: chat.now,
      updated_at: chat.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await addChatMembers(db, created.id, chat.memberIds, chat.now);
  return created;
}

/** The private dialog of two members, created when missing; two racing creators get the same one. */
export async function ensurePrivateChat(db: Executor, portalId: number, a: number, b: number, now: number): Promise<Chat> {
  await db
    .insertInto('chats')
    .values({
      portal_id: portalId,
      type: 'private',
      title: '',
      owner_member_id: a,
      private_key: privateKey(a, b),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['portal_id', 'private_key']).doNothing())
    .execute();
  const chat = await findPrivateChat(db, portalId, a, b);
  if (!chat) throw new Error('private chat vanished after its creation');
  await addChatMembers(db, chat.id, [a, b], now);
  return chat;
}

/**
 * Adds members (those already in stay as they are). A new member has read nothing: every message by
 * someone else that is not deleted is unread for them.
 */
export async function addChatMembers(db: Executor, chatId: number, memberIds: readonly number[], now: number): Promise<void> {
  const unique = [...new Set(memberIds)];
  if (unique.length === 0) return;
  // The chat's row first, as a message does (`touchChat`): on PostgreSQL a message sent meanwhile
  // is then counted once, either in this first count or by its own `countMessage` after it.
  await lockChat(db, chatId);
  await db
    .insertInto('chat_members')
    .values(
      unique.map((member_id) => ({
        chat_id: chatId,
        member_id,
        last_read_message_id: 0,
        joined_at: now,
        unread_count: sql<number>`(select count(*) from messages m where m.chat_id = ${chatId} and m.author_member_id <> ${member_id} and m.deleted_at is null)`,
      })),
    )
    .onConflict((oc) => oc.columns(['chat_id', 'member_id']).doNothing())
    .execute();
}

export async function findChatMember(db: Executor, chatId: number, memberId: number): Promise<ChatMember | undefined> {
  return db.selectFrom('chat_members').selectAll().where('chat_id', '=', chatId).where('member_id', '=', memberId).executeTakeFirst();
}

const chatMembersQuery = prepared((db, p: { chatId: number }) =>
  db.selectFrom('chat_members').selectAll().where('chat_id', '=', p.chatId).orderBy('member_id'),
);

export async function listChatMembers(db: Executor, chatId: number): Promise<ChatMember[]> {
  return (await chatMembersQuery(db, { chatId })).rows;
}

/** The member's unread messages counted from the messages themselves (not from `unread_count`). */
const countedUnread = sql<number>`(select count(*) from messages m where m.chat_id = chat_members.chat_id and m.id > chat_members.last_read_message_id and m.author_member_id <> chat_members.member_id and m.deleted_at is null)`;

type MemberKey = { chatId: number; memberId: number };
const memberRow = (db: Executor, p: MemberKey) =>
  db.updateTable('chat_members').where('chat_id', '=', p.chatId).where('member_id', '=', p.memberId);
const moveReadMarkQuery = prepared((db, p: MemberKey & { upTo: number }) =>
  memberRow(db, p).set({ last_read_message_id: p.upTo }).where('last_read_message_id', '<', p.upTo),
);
const recountQuery = prepared((db, p: MemberKey) => memberRow(db, p).set({ unread_count: countedUnread }));

/** Moves the member's read mark forward to `upTo`; never back. True when it moved. */
export async function advanceReadMark(db: Executor, chatId: number, memberId: number, upTo: number): Promise<boolean> {
  const moved = await moveReadMarkQuery(db, { chatId, memberId, upTo });
  if (!moved.numAffectedRows) return false;
  // Counted in a statement of its own: on PostgreSQL the first one locked the row (after any
  // message counted into it had committed), and this one sees every message committed by then;
  // one still to commit waits for the lock and counts itself after.
  await recountQuery(db, { chatId, memberId });
  return true;
}

const countMessageQuery = prepared((db, p: { chatId: number; authorId: number; id: number; change: number }) =>
  db
    .updateTable('chat_members')
    .set((eb) => ({ unread_count: eb('unread_count', '+', p.change) }))
    .where('chat_id', '=', p.chatId)
    .where('member_id', '<>', p.authorId)
    .where('last_read_message_id', '<', p.id),
);

/**
 * A new message (`change` 1) or a deleted one (-1) for the members who have not read up to it, its
 * author aside. Under the chat's lock (`touchChat`, `lockChat`), so that on PostgreSQL the counts
 * of one chat change in one order, as do its members.
 */
export async function countMessage(
  db: Executor,
  message: Pick<Message, 'id' | 'chat_id' | 'author_member_id'>,
  change: 1 | -1,
): Promise<void> {
  await countMessageQuery(db, { chatId: message.chat_id, authorId: message.author_member_id, id: message.id, change });
}

const touchChatQuery = prepared((db, p: { chatId: number; now: number }) =>
  db
    .updateTable('chats')
    .set({ updated_at: sql<number>`case when updated_at < ${p.now} then ${p.now} else updated_at end` })
    .where('id', '=', p.chatId),
);

/**
 * The chat's last activity moves to `now` (never back). Always a write of the chat's row, even when
 * it stays: on PostgreSQL that row's lock puts the chat's new messages and new members in one order.
 */
export async function touchChat(db: Executor, chatId: number, now: number): Promise<void> {
  await touchChatQuery(db, { chatId, now });
}

/** Writes the chat's row as it is: on PostgreSQL, its lock (see `touchChat`). */
export async function lockChat(db: Executor, chatId: number): Promise<void> {
  await db
    .updateTable('chats')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', chatId)
    .execute();
}

/** A chat of the member with their read mark, unread count, newest message id and (private) the other side. */
export interface MemberChatRow {
  id: number;
  type: ChatTable['type'];
  title: string;
  owner_member_id: number;
  created_at: number;
  updated_at: number;
  last_read_message_id: number;
  unread: number;
  last_message_id: number;
  /** Private dialogs: the other member (the member themself in a dialog with themself). */
  peer_member_id: number | null;
  user_count: number;
}

export interface MemberChatQuery {
  memberId: number;
  /** Only chats last active before this time (Bitrix24's LAST_MESSAGE_DATE paging). */
  before?: number;
  skipChats?: boolean;
  skipDialogs?: boolean;
  unreadOnly?: boolean;
  chatId?: number;
  offset?: number;
  limit?: number;
}

/** The member's chats, newest activity first (ties by newer chat). */
export async function listMemberChats(db: Executor, query: MemberChatQuery): Promise<MemberChatRow[]> {
  const { memberId } = query;
  let q = db
    .selectFrom('chat_members')
    .innerJoin('chats', 'chats.id', 'chat_members.chat_id')
    .select([
      'chats.id',
      'chats.type',
      'chats.title',
      'chats.owner_member_id',
      'chats.created_at',
      'chats.updated_at',
      'chat_members.last_read_message_id',
    ])
    .select('chat_members.unread_count as unread')
    .select(sql<number>`coalesce((select max(m.id) from messages m where m.chat_id = chats.id), 0)`.as('last_message_id'))
    .select(
      sql<
        number | null
      >`case when chats.type = 'private' then coalesce((select o.member_id from chat_members o where o.chat_id = chats.id and o.member_id <> ${memberId}), ${memberId}) end`.as(
        'peer_member_id',
      ),
    )
    .select(sql<number>`(select count(*) from chat_members c where c.chat_id = chats.id)`.as('user_count'))
    .where('chat_members.member_id', '=', memberId);
  if (query.chatId !== undefined) q = q.where('chats.id', '=', query.chatId);
  if (query.before !== undefined) q = q.where('chats.updated_at', '<', query.before);
  if (query.skipChats) q = q.where('chats.type', '=', 'private');
  if (query.skipDialogs) q = q.where('chats.type', '<>', 'private');
  if (query.unreadOnly) q = q.where('chat_members.unread_count', '>', 0);
  q = q.orderBy('chats.updated_at', 'desc').orderBy('chats.id', 'desc');
  if (query.limit !== undefined) q = q.limit(query.limit).offset(query.offset ?? 0);
  const rows = await q.execute();
  return rows.map((r) => ({
    ...r,
    unread: Number(r.unread),
    last_message_id: Number(r.last_message_id),
    user_count: Number(r.user_count),
  }));
}

/** The member's unread messages in one chat: after their read mark, by someone else, not deleted. */
export async function unreadCount(db: Executor, chatId: number, memberId: number): Promise<number> {
  const row = await db
    .selectFrom('chat_members')
    .select('unread_count')
    .where('chat_id', '=', chatId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(row?.unread_count ?? 0);
}
