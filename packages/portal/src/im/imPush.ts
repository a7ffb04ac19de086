import type { PullBody } from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import type { PortalPerson, PortalUserRow } from '../rest/userDirectory.ts';
import type { Chat, Message } from '../store/schema.ts';
import { colorOf } from './colors.ts';
import { fullName, imUser } from './people.ts';

/**
 * The im module's Pull commands in Bitrix24's shapes (its V2 PushFormat and read services):
 * camelCase params, the chat in snake_case, message flags in UPPER_SNAKE `params`, a private
 * dialog named by the other user's id as a number (a string in `readMessage`), `[]` for an
 * empty map. Each recipient gets their own copy: `dialogId` and `counter` are theirs.
 */

const im = (command: string, params: Record<string, unknown>): PullBody => ({ module_id: 'im', command, params });

/** How a recipient names the chat in message commands: the other member (a number) or `chat<N>`. */
function dialogIdFor(chat: Chat, peerMemberId: number | null): number | string {
  return chat.type === 'private' ? (peerMemberId ?? 0) : `chat${chat.id}`;
}

function flags(message: Message): Record<string, string> | [] {
  if (message.deleted_at !== null) return { IS_DELETED: 'Y' };
  if (message.edited_at !== null) return { IS_EDITED: 'Y' };
  return [];
}

function rawMessage(message: Message, prevId: number, recipientId: string) {
  const text = message.deleted_at !== null ? '' : message.text;
  return {
    id: message.id,
    templateId: message.client_message_id ?? '',
    templateFileId: '',
    prevId,
    chatId: message.chat_id,
    senderId: message.author_member_id,
    recipientId,
    system: 'N',
    date: isoDateTime(message.created_at),
    text,
    textLegacy: text,
    params: flags(message),
    counter: 0,
    isImportant: false,
    importantFor: [],
    additionalEntities: {},
    forward: null,
  };
}

function rawChat(chat: Chat, memberIds: readonly number[]) {
  return {
    id: chat.id,
    dialogId: `chat${chat.id}`,
    name: chat.title,
    owner: chat.owner_member_id,
    type: chat.type,
    message_type: chat.type === 'open' ? 'O' : 'C',
    color: colorOf(chat.id),
    avatar: '',
    description: '',
    extranet: false,
    parent_chat_id: 0,
    parent_message_id: 0,
    mute_list: Object.fromEntries(memberIds.map((id) => [String(id), false])),
    manager_list: [chat.owner_member_id],
    date_create: isoDateTime(chat.created_at),
    public: '',
    entity_type: '',
    entity_id: '',
  };
}

export interface MessageContext {
  chat: Chat;
  memberIds: readonly number[];
  people: ReadonlyMap<number, PortalPerson>;
  /** The message before this one in the chat (0: none). */
  prevId: number;
}

const peerOf = (chat: Chat, memberIds: readonly number[], memberId: number) =>
  chat.type === 'private' ? (memberIds.find((id) => id !== memberId) ?? memberId) : null;

function usersMap(people: ReadonlyMap<number, PortalPerson>, ids: readonly number[]) {
  const entries = ids.flatMap((id) => {
    const row = people.get(id);
    return row ? [[String(id), imUser(row)] as const] : [];
  });
  return entries.length === 0 ? [] : Object.fromEntries(entries);
}

/** `message` (private dialog) or `messageChat` (group) for one recipient, with their unread counter. */
export function messageAdd(ctx: MessageContext, message: Message, recipient: number, counter: number): PullBody {
  const { chat, memberIds, people } = ctx;
  const peer = peerOf(chat, memberIds, recipient);
  const dialogId = dialogIdFor(chat, peer);
  const userIds = chat.type === 'private' ? [...new Set(memberIds)] : [message.author_member_id];
  return im(chat.type === 'private' ? 'message' : 'messageChat', {
    chatId: chat.id,
    dialogId,
    dateLastActivity: isoDateTime(message.created_at),
    chat: chat.type === 'private' ? [] : { [String(chat.id)]: rawChat(chat, memberIds) },
    lines: null,
    multidialog: [],
    userInChat: { [String(chat.id)]: [...memberIds] },
    userBlockChat: { [String(chat.id)]: Object.fromEntries(memberIds.map((id) => [String(id), false])) },
    users: usersMap(people, userIds),
    message: rawMessage(message, ctx.prevId, String(dialogId)),
    counterType: 'chat',
    files: [],
    notify: true,
    counter,
  });
}

function changeTarget(chat: Chat, memberIds: readonly number[], recipient: number, authorId: number) {
  const peer = peerOf(chat, memberIds, recipient);
  return {
    type: chat.type === 'private' ? 'private' : 'chat',
    dialogId: dialogIdFor(chat, peer),
    ...(chat.type === 'private' ? { fromUserId: authorId, toUserId: memberIds.find((id) => id !== authorId) ?? authorId } : {}),
  };
}

/** `messageUpdate`: the new text, for one recipient. */
export function messageUpdate(chat: Chat, memberIds: readonly number[], message: Message, recipient: number): PullBody {
  return im('messageUpdate', {
    id: message.id,
    text: message.text,
    textLegacy: message.text,
    chatId: chat.id,
    senderId: message.author_member_id,
    params: { IS_EDITED: 'Y', URL_ID: [], ATTACH: [], DATE_TEXT: [], DATE_TS: [] },
    ...changeTarget(chat, memberIds, recipient, message.author_member_id),
  });
}

/** `messageDelete`: the text is gone, the message stays; `counter` is the recipient's after it. */
export function messageDelete(chat: Chat, memberIds: readonly number[], message: Message, recipient: number, counter: number): PullBody {
  return im('messageDelete', {
    id: message.id,
    text: '',
    senderId: message.author_member_id,
    params: { IS_DELETED: 'Y', URL_ID: [], FILE_ID: [], KEYBOARD: 'N', ATTACH: [] },
    chatId: chat.id,
    unread: false,
    muted: false,
    counter,
    counterType: 'chat',
    ...changeTarget(chat, memberIds, recipient, message.author_member_id),
  });
}

/** `readMessage` / `readMessageChat`: the reader (on every device of theirs) read up to `lastId`. */
export function readSelf(chat: Chat, memberIds: readonly number[], reader: number, lastId: number, counter: number): PullBody {
  if (chat.type === 'private') {
    const peer = peerOf(chat, memberIds, reader) ?? reader;
    // Bitrix24 sends this one's dialogId as a string.
    return im('readMessage', {
      dialogId: String(peer),
      chatId: chat.id,
      senderId: reader,
      id: peer,
      userId: peer,
      lastId,
      counter,
      muted: false,
      unread: false,
      viewedMessages: [],
    });
  }
  return im('readMessageChat', {
    dialogId: `chat${chat.id}`,
    chatId: chat.id,
    parentChatId: 0,
    type: chat.type,
    lastId,
    counter,
    muted: false,
    unread: false,
    lines: false,
    viewedMessages: [],
  });
}

/** `readMessageOpponent` / `readMessageChatOpponent`: another member read up to `lastId`. */
export function readOpponent(chat: Chat, reader: PortalUserRow, lastId: number, now: number): PullBody {
  return im(chat.type === 'private' ? 'readMessageOpponent' : 'readMessageChatOpponent', {
    dialogId: chat.type === 'private' ? reader.id : `chat${chat.id}`,
    chatId: chat.id,
    userId: reader.id,
    userName: fullName(reader),
    lastId,
    date: isoDateTime(now),
    chatMessageStatus: 'delivered',
    viewedMessages: [],
  });
}

/** `chatUserAdd`: members joined a group chat (all of them when it was just created). */
export function chatUserAdd(
  chat: Chat,
  memberIds: readonly number[],
  newMemberIds: readonly number[],
  people: ReadonlyMap<number, PortalUserRow>,
): PullBody {
  return im('chatUserAdd', {
    chatId: chat.id,
    dialogId: `chat${chat.id}`,
    chatTitle: chat.title,
    chatOwner: chat.owner_member_id,
    chatExtranet: false,
    users: newMemberIds.flatMap((id) => {
      const row = people.get(id);
      return row ? [{ id, name: fullName(row), firstName: row.name, lastName: row.last_name }] : [];
    }),
    newUsers: [...newMemberIds],
    userCount: memberIds.length,
  });
}
