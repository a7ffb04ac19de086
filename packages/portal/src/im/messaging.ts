import type { PortalContext } from '../http/context.ts';
import { deliverEvents, type EventEntry, recordEvents } from '../realtime/publish.ts';
import { advanceReadMark, createChat, findChat, findChatMember, listChatMembers, touchChat, unreadCount } from '../store/chats.ts';
import { findMessage, insertMessage, lastMessageId, markMessageDeleted, setMessageText } from '../store/messages.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';
import type { Chat, ChatTable, Executor, Message } from '../store/schema.ts';
import { countersOf } from './counters.ts';
import { accessDenied, type DialogRef, openDialog } from './dialogs.ts';
import { dialogIdOf, imMessage } from './views.ts';

/**
 * What the im methods change, each in one transaction with the realtime events it causes; the
 * events go out once the transaction has committed.
 */

/** Who acts, where. */
export interface ImActor {
  ctx: PortalContext;
  portalId: number;
  memberId: number;
}

async function inTransaction<T>(actor: ImActor, work: (trx: Executor, events: EventEntry[]) => Promise<T>): Promise<T> {
  const { ctx } = actor;
  const { result, stored } = await ctx.db.transaction().execute(async (trx) => {
    const events: EventEntry[] = [];
    const result = await work(trx, events);
    const stored: StoredEvent[] = await recordEvents(trx, ctx, events);
    return { result, stored };
  });
  deliverEvents(ctx, stored);
  return result;
}

/** How each member names the chat: the other member for private dialogs, `chat<N>` otherwise. */
async function dialogIds(db: Executor, chat: Chat): Promise<Map<number, string>> {
  const members = (await listChatMembers(db, chat.id)).map((m) => m.member_id);
  const ids = new Map<number, string>();
  for (const member of members) {
    const peer = chat.type === 'private' ? (members.find((m) => m !== member) ?? member) : null;
    ids.set(member, dialogIdOf(chat, peer));
  }
  return ids;
}

async function countersFor(db: Executor, memberIds: Iterable<number>, events: EventEntry[]): Promise<void> {
  for (const memberId of memberIds) events.push({ memberId, event: { type: 'counters', counters: await countersOf(db, memberId) } });
}

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
  await touchChat(db, chat.id, now);
  // Writing in a chat reads it: the author's own message and everything before it.
  const authorHadUnread = (await unreadCount(db, chat.id, actor.memberId)) > 0;
  await advanceReadMark(db, chat.id, actor.memberId, message.id);
  const ids = await dialogIds(db, chat);
  const view = imMessage(message);
  for (const [memberId, dialogId] of ids) {
    events.push({ memberId, event: { type: 'message.new', chat_id: chat.id, dialog_id: dialogId, message: view } });
  }
  const others = [...ids.keys()].filter((id) => id !== actor.memberId);
  await countersFor(db, authorHadUnread ? [...others, actor.memberId] : others, events);
  return message;
}

/** im.message.add: the message's id (the first one's, for a repeated CLIENT_MESSAGE_ID). */
export function sendMessage(actor: ImActor, ref: DialogRef, text: string, clientMessageId: string | null): Promise<number> {
  return inTransaction(actor, async (db, events) => {
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
  return inTransaction(actor, async (db, events) => {
    const found = await ownMessage(db, actor, messageId);
    if (found.message.deleted_at !== null) throw accessDenied();
    if (found.message.text === text) return true;
    const view = imMessage(await setMessageText(db, messageId, text, actor.ctx.now()));
    for (const [memberId, dialogId] of await dialogIds(db, found.chat)) {
      events.push({ memberId, event: { type: 'message.updated', chat_id: found.chat.id, dialog_id: dialogId, message: view } });
    }
    return true;
  });
}

/** im.message.delete: own messages only; deleting twice is harmless. */
export function deleteMessage(actor: ImActor, messageId: number): Promise<boolean> {
  return inTransaction(actor, async (db, events) => {
    const { message, chat } = await ownMessage(db, actor, messageId);
    if (message.deleted_at !== null) return true;
    await markMessageDeleted(db, messageId, actor.ctx.now());
    const members = await listChatMembers(db, chat.id);
    for (const [memberId, dialogId] of await dialogIds(db, chat)) {
      events.push({ memberId, event: { type: 'message.deleted', chat_id: chat.id, dialog_id: dialogId, message_id: messageId } });
    }
    // Those who had not read it have one unread message less.
    const affected = members.filter((m) => m.member_id !== actor.memberId && m.last_read_message_id < messageId).map((m) => m.member_id);
    await countersFor(db, affected, events);
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
  return inTransaction(actor, async (db, events) => {
    const { chat, dialogId } = await openDialog(db, actor.portalId, actor.memberId, ref, { create: false, now: actor.ctx.now() });
    if (!chat) return { dialogId, chatId: 0, counter: 0, lastId: 0 };
    const newest = await lastMessageId(db, chat.id);
    const mark = Math.min(upTo ?? newest, newest);
    if (await advanceReadMark(db, chat.id, actor.memberId, mark)) {
      for (const [memberId, id] of await dialogIds(db, chat)) {
        events.push({ memberId, event: { type: 'dialog.read', chat_id: chat.id, dialog_id: id, user_id: actor.memberId, last_id: mark } });
      }
      await countersFor(db, [actor.memberId], events);
    }
    const member = await findChatMember(db, chat.id, actor.memberId);
    const counter = await unreadCount(db, chat.id, actor.memberId);
    return { dialogId, chatId: chat.id, counter, lastId: member?.last_read_message_id ?? 0 };
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
  return inTransaction(actor, async (db, events) => {
    const chat = await createChat(db, {
      portalId: actor.portalId,
      type: input.type,
      title: input.title,
      ownerMemberId: actor.memberId,
      memberIds: [actor.memberId, ...input.memberIds],
      now: actor.ctx.now(),
    });
    for (const memberId of new Set([actor.memberId, ...input.memberIds])) {
      events.push({ memberId, event: { type: 'chat.added', chat_id: chat.id, dialog_id: `chat${chat.id}`, title: chat.title } });
    }
    if (input.message !== null) await post(db, actor, chat, input.message, null, events);
    return chat.id;
  });
}
