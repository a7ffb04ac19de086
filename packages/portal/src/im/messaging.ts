import type { PortalContext } from '../http/context.ts';
import { changeAndPublish, type EventEntry } from '../realtime/publish.ts';
import { advanceReadMark, createChat, findChat, findChatMember, listChatMembers, unreadCount } from '../store/chats.ts';
import { findMessage, insertMessage, lastMessageId, markMessageDeleted, setMessageText } from '../store/messages.ts';
import type { Chat, ChatTable, Executor, Message } from '../store/schema.ts';
import { accessDenied, type DialogRef, openDialog } from './dialogs.ts';
import { chatUserAdd, messageAdd, messageDelete, messageUpdate, readOpponent, readSelf } from './imPush.ts';
import { loadPeople } from './people.ts';

/**
 * What the im methods change, each in one transaction with the Pull messages it causes (Bitrix24's
 * im commands, one copy per member with their own counter); they go out once it has committed.
 */

/** Who acts, where. */
export interface ImActor {
  ctx: PortalContext;
  portalId: number;
  memberId: number;
}

const memberIdsOf = async (db: Executor, chat: Chat) => (await listChatMembers(db, chat.id)).map((m) => m.member_id);

/** Adds a message to a chat the author is in; a repeated client id returns the first message. */
async function post(
  db: Executor,
  actor: ImActor,
  chat: Chat,
  text: string,
  clientMessageId: string | null,
  events: EventEntry[],
): Promise<Message> {
  const now = actor.ctx.now();
  const { message, created } = await insertMessage(db, { chatId: chat.id, authorMemberId: actor.memberId, text, clientMessageId, now });
  if (!created) return message;
  // Writing in a chat reads it: the author's own message and everything before it.
  await advanceReadMark(db, chat.id, actor.memberId, message.id);
  const members = await listChatMembers(db, chat.id);
  const memberIds = members.map((m) => m.member_id);
  const people = await loadPeople(db, actor.portalId, memberIds);
  const context = { chat, memberIds, people, prevId: await lastMessageId(db, chat.id, message.id) };
  for (const member of members) {
    events.push({ memberId: member.member_id, body: messageAdd(context, message, member.member_id, member.unread_count) });
  }
  return message;
}

/** im.message.add: the message's id (the first one's, for a repeated CLIENT_MESSAGE_ID). */
export function sendMessage(actor: ImActor, ref: DialogRef, text: string, clientMessageId: string | null): Promise<number> {
  return changeAndPublish(actor.ctx, async (db, events) => {
    const { chat } = await openDialog(db, actor.portalId, actor.memberId, ref, { create: true, now: actor.ctx.now() });
    if (!chat) throw accessDenied();
    return (await post(db, actor, chat, text, clientMessageId, events)).id;
  });
}

/** A message of a chat the actor is in (else ACCESS_DENIED, whether or not it exists), and its chat. */
async function ownMessage(db: Executor, actor: ImActor, messageId: number): Promise<{ message: Message; chat: Chat }> {
  const message = await findMessage(db, messageId);
  const chat = message ? await findChat(db, actor.portalId, message.chat_id) : undefined;
  if (!message || !chat || !(await findChatMember(db, chat.id, actor.memberId)) || message.author_member_id !== actor.memberId) {
    throw accessDenied();
  }
  return { message, chat };
}

/** im.message.update: own, not deleted messages only. */
export function editMessage(actor: ImActor, messageId: number, text: string): Promise<boolean> {
  return changeAndPublish(actor.ctx, async (db, events) => {
    const found = await ownMessage(db, actor, messageId);
    if (found.message.deleted_at !== null) throw accessDenied();
    if (found.message.text === text) return true;
    const edited = await setMessageText(db, messageId, text, actor.ctx.now());
    const memberIds = await memberIdsOf(db, found.chat);
    for (const memberId of memberIds) events.push({ memberId, body: messageUpdate(found.chat, memberIds, edited, memberId) });
    return true;
  });
}

/** im.message.delete: own messages only; deleting twice is harmless. */
export function deleteMessage(actor: ImActor, messageId: number): Promise<boolean> {
  return changeAndPublish(actor.ctx, async (db, events) => {
    const { message, chat } = await ownMessage(db, actor, messageId);
    if (message.deleted_at !== null) return true;
    const deleted = await markMessageDeleted(db, messageId, actor.ctx.now());
    // Deleted meanwhile by another request, which tells the members.
    if (!deleted) return true;
    const members = await listChatMembers(db, chat.id);
    const memberIds = members.map((m) => m.member_id);
    for (const member of members) {
      // Those who had not read it have one unread message less: each copy carries its counter.
      events.push({ memberId: member.member_id, body: messageDelete(chat, memberIds, deleted, member.member_id, member.unread_count) });
    }
    return true;
  });
}

export interface ReadResult {
  dialogId: string;
  chatId: number;
  counter: number;
  lastId: number;
}

/** im.dialog.read: everything up to `upTo` (default: the newest message) is read; the mark never goes back. */
export function readDialog(actor: ImActor, ref: DialogRef, upTo: number | undefined): Promise<ReadResult> {
  return changeAndPublish(actor.ctx, async (db, events) => {
    const { chat, dialogId } = await openDialog(db, actor.portalId, actor.memberId, ref, { create: false, now: actor.ctx.now() });
    if (!chat) return { dialogId, chatId: 0, counter: 0, lastId: 0 };
    const newest = await lastMessageId(db, chat.id);
    const mark = Math.min(upTo ?? newest, newest);
    const counter = () => unreadCount(db, chat.id, actor.memberId);
    if (await advanceReadMark(db, chat.id, actor.memberId, mark)) {
      const memberIds = await memberIdsOf(db, chat);
      events.push({ memberId: actor.memberId, body: readSelf(chat, memberIds, actor.memberId, mark, await counter()) });
      const reader = (await loadPeople(db, actor.portalId, [actor.memberId])).get(actor.memberId);
      if (reader) {
        for (const memberId of memberIds.filter((id) => id !== actor.memberId)) {
          events.push({ memberId, body: readOpponent(chat, reader, mark, actor.ctx.now()) });
        }
      }
    }
    const member = await findChatMember(db, chat.id, actor.memberId);
    return { dialogId, chatId: chat.id, counter: await counter(), lastId: member?.last_read_message_id ?? 0 };
  });
}

export interface NewGroupChat {
  type: Exclude<ChatTable['type'], 'private'>;
  title: string;
  memberIds: readonly number[];
  message: string | null;
}

/** im.chat.add: a group chat of the actor (its owner) and the given members; its id. */
export function addGroupChat(actor: ImActor, input: NewGroupChat): Promise<number> {
  return changeAndPublish(actor.ctx, async (db, events) => {
    const memberIds = [...new Set([actor.memberId, ...input.memberIds])];
    const chat = await createChat(db, {
      portalId: actor.portalId,
      type: input.type,
      title: input.title,
      ownerMemberId: actor.memberId,
      memberIds,
      now: actor.ctx.now(),
    });
    const people = await loadPeople(db, actor.portalId, memberIds);
    for (const memberId of memberIds) events.push({ memberId, body: chatUserAdd(chat, memberIds, memberIds, people) });
    if (input.message !== null) await post(db, actor, chat, input.message, null, events);
    return chat.id;
  });
}
