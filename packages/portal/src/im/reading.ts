import type { ImChat, ImMessagesPage, ImRecentList } from '@multidesk/protocol';
import { listMemberChats, type MemberChatQuery, type MemberChatRow } from '../store/chats.ts';
import { lastMessages, listMessages, type MessagePageQuery } from '../store/messages.ts';
import type { Executor } from '../store/schema.ts';
import { type DialogRef, openDialog } from './dialogs.ts';
import { imUser, loadPeople } from './people.ts';
import { imChat, imMessage, recentItem } from './views.ts';

/** What the im methods read, as one member of one portal sees it. */
export interface ImReader {
  db: Executor;
  portalId: number;
  memberId: number;
  now: number;
}

async function membersByChat(db: Executor, chatIds: readonly number[]): Promise<Map<number, number[]>> {
  const byChat = new Map<number, number[]>(chatIds.map((id) => [id, []]));
  if (chatIds.length === 0) return byChat;
  const rows = await db
    .selectFrom('chat_members')
    .select(['chat_id', 'member_id'])
    .where('chat_id', 'in', chatIds)
    .orderBy('member_id')
    .execute();
  for (const row of rows) byChat.get(row.chat_id)?.push(row.member_id);
  return byChat;
}

/** im.recent.list: the member's dialogs, newest activity first. */
export async function recentList(
  reader: ImReader,
  query: Omit<MemberChatQuery, 'memberId' | 'limit'> & { limit: number },
): Promise<ImRecentList> {
  const rows = await listMemberChats(reader.db, { ...query, memberId: reader.memberId, limit: query.limit + 1 });
  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = await lastMessages(
    reader.db,
    page.map((r) => r.last_message_id).filter((id) => id > 0),
  );
  const members = await membersByChat(
    reader.db,
    page.map((r) => r.id),
  );
  const peopleIds = page.flatMap((r) => [r.peer_member_id ?? 0, last.get(r.id)?.author_member_id ?? 0]);
  const people = await loadPeople(reader.db, reader.portalId, peopleIds);
  const items = page.map((row) => recentItem(row, last.get(row.id), members.get(row.id) ?? [], people));
  return { items, hasMore, hasMorePages: hasMore };
}

/** A private dialog that has no message yet, described as it will be. */
async function virtualDialog(reader: ImReader, peerMemberId: number): Promise<ImChat> {
  const people = await loadPeople(reader.db, reader.portalId, [peerMemberId]);
  const row: MemberChatRow = {
    id: 0,
    type: 'private',
    title: '',
    owner_member_id: 0,
    created_at: reader.now,
    updated_at: reader.now,
    last_read_message_id: 0,
    unread: 0,
    last_message_id: 0,
    peer_member_id: peerMemberId,
    user_count: peerMemberId === reader.memberId ? 1 : 2,
  };
  return imChat(
    row,
    [...new Set([reader.memberId, peerMemberId])].sort((a, b) => a - b),
    people,
  );
}

async function memberChat(reader: ImReader, chatId: number): Promise<MemberChatRow> {
  const [row] = await listMemberChats(reader.db, { memberId: reader.memberId, chatId });
  if (!row) throw new Error(`chat ${chatId} vanished`);
  return row;
}

/** im.dialog.get. */
export async function dialogGet(reader: ImReader, ref: DialogRef): Promise<ImChat> {
  const dialog = await openDialog(reader.db, reader.portalId, reader.memberId, ref, { create: false, now: reader.now });
  if (!dialog.chat) return virtualDialog(reader, dialog.peerMemberId ?? 0);
  const row = await memberChat(reader, dialog.chat.id);
  const members = (await membersByChat(reader.db, [row.id])).get(row.id) ?? [];
  const people = await loadPeople(reader.db, reader.portalId, [row.peer_member_id ?? 0]);
  return imChat(row, members, people);
}

/** im.dialog.messages.get: a page of messages, newest first, with their authors. */
export async function dialogMessages(reader: ImReader, ref: DialogRef, page: Omit<MessagePageQuery, 'chatId'>): Promise<ImMessagesPage> {
  const dialog = await openDialog(reader.db, reader.portalId, reader.memberId, ref, { create: false, now: reader.now });
  const messages = dialog.chat ? await listMessages(reader.db, { ...page, chatId: dialog.chat.id }) : [];
  const authors = messages.map((m) => m.author_member_id);
  const sides = dialog.peerMemberId === null ? [] : [reader.memberId, dialog.peerMemberId];
  const people = await loadPeople(reader.db, reader.portalId, [...sides, ...authors]);
  return {
    messages: messages.map(imMessage),
    users: [...people.values()].sort((a, b) => a.id - b.id).map(imUser),
    chat_id: dialog.chat?.id ?? 0,
  };
}
