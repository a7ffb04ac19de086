import type { ImChat, ImDialog, ImMessagesPage, ImRecentList } from '@multidesk/protocol';
import type { PortalPerson } from '../rest/userDirectory.ts';
import { findChatMember, listChatMembers, listMemberChats, type MemberChatQuery, type MemberChatRow } from '../store/chats.ts';
import { historyOf, lastMessages, listMessages, type MessagePageQuery } from '../store/messages.ts';
import type { ChatMember, Executor } from '../store/schema.ts';
import { type DialogRef, openDialog } from './dialogs.ts';
import { fullName, imUser, loadPeople } from './people.ts';
import { dialogMessage, imChat, recentItem } from './views.ts';

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
  const items = page.map((row) => recentItem(row, last.get(row.id), members.get(row.id) ?? [], people, reader.memberId));
  return {
    items,
    hasMore,
    hasMorePages: hasMore,
    copilot: { chats: null, messages: null, roles: {}, recommendedRoles: [] },
    messagesAutoDeleteConfigs: [],
  };
}

/** A private dialog that has no message yet, described as it will be. */
async function virtualDialog(reader: ImReader, peerMemberId: number): Promise<ImDialog> {
  const people = await loadPeople(reader.db, reader.portalId, [reader.memberId, peerMemberId]);
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
  const memberIds = [...new Set([reader.memberId, peerMemberId])].sort((a, b) => a - b);
  const marks = memberIds.map((member_id) => ({ chat_id: 0, member_id, last_read_message_id: 0, joined_at: reader.now, unread_count: 0 }));
  return dialogOf(imChat(row, memberIds, people, reader.memberId), marks, people, { count: 0, firstUnreadId: 0 }, reader.memberId);
}

/**
 * The chat with what im.dialog.get adds: its history's figures and the others' read marks. Who read
 * the last message is known, when they read it is not: no dates, no first viewers.
 */
function dialogOf(
  chat: ImChat,
  marks: readonly ChatMember[],
  people: ReadonlyMap<number, PortalPerson>,
  history: { count: number; firstUnreadId: number },
  viewer: number,
  lastAuthorId = 0,
): ImDialog {
  const others = marks.filter((mark) => mark.member_id !== viewer);
  const viewers = others.filter(
    (mark) => mark.member_id !== lastAuthorId && chat.last_message_id > 0 && mark.last_read_message_id >= chat.last_message_id,
  );
  return {
    ...chat,
    // im.dialog.get writes the role in lower case, unlike im.recent.list.
    role: chat.role.toLowerCase(),
    description: '',
    message_count: history.count,
    unread_id: history.firstUnreadId,
    marked_id: 0,
    disk_folder_id: 0,
    is_new: false,
    readed_list: others.map((mark) => ({
      user_id: mark.member_id,
      user_name: fullName(people.get(mark.member_id) ?? { name: '', last_name: '' }),
      message_id: mark.last_read_message_id,
      date: null,
    })),
    last_message_views: { message_id: chat.last_message_id, first_viewers: [], count_of_viewers: viewers.length },
  };
}

async function memberChat(reader: ImReader, chatId: number): Promise<MemberChatRow> {
  const [row] = await listMemberChats(reader.db, { memberId: reader.memberId, chatId });
  if (!row) throw new Error(`chat ${chatId} vanished`);
  return row;
}

/** im.dialog.get. */
export async function dialogGet(reader: ImReader, ref: DialogRef): Promise<ImDialog> {
  const dialog = await openDialog(reader.db, reader.portalId, reader.memberId, ref, { create: false, now: reader.now });
  if (!dialog.chat) return virtualDialog(reader, dialog.peerMemberId ?? 0);
  const row = await memberChat(reader, dialog.chat.id);
  const marks = await listChatMembers(reader.db, row.id);
  const members = marks.map((mark) => mark.member_id);
  const people = await loadPeople(reader.db, reader.portalId, members);
  const history = await historyOf(reader.db, row.id, reader.memberId, row.last_read_message_id);
  const lastAuthorId = (await lastMessages(reader.db, [row.last_message_id])).get(row.id)?.author_member_id ?? 0;
  return dialogOf(imChat(row, members, people, reader.memberId), marks, people, history, reader.memberId, lastAuthorId);
}

/** im.dialog.messages.get: a page of messages, newest first, with their authors. */
export async function dialogMessages(reader: ImReader, ref: DialogRef, page: Omit<MessagePageQuery, 'chatId'>): Promise<ImMessagesPage> {
  const dialog = await openDialog(reader.db, reader.portalId, reader.memberId, ref, { create: false, now: reader.now });
  const messages = dialog.chat ? await listMessages(reader.db, { ...page, chatId: dialog.chat.id }) : [];
  const lastReadId = dialog.chat ? ((await findChatMember(reader.db, dialog.chat.id, reader.memberId))?.last_read_message_id ?? 0) : 0;
  const authors = messages.map((m) => m.author_member_id);
  const sides = dialog.peerMemberId === null ? [] : [reader.memberId, dialog.peerMemberId];
  const people = await loadPeople(reader.db, reader.portalId, [...sides, ...authors]);
  return {
    messages: messages.map((message) => dialogMessage(message, reader.memberId, lastReadId)),
    users: [...people.values()].sort((a, b) => a.id - b.id).map(imUser),
    chat_id: dialog.chat?.id ?? 0,
    files: [],
  };
}
