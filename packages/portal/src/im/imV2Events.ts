import type { ImV2Event, ImV2EventType, PullBody } from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';

/**
 * The documented polling path's view of the events a member receives (im.v2.Event.get): the im
 * module's Pull messages as `ONIMV2*` events with camelCase entities (docs:
 * api-reference/chat-bots/chat-bots-v2/im.v2/events). Other modules' events are not in this feed.
 */

type Params = Record<string, unknown>;

const TYPES: Record<string, ImV2EventType> = {
  message: 'ONIMV2MESSAGEADD',
  messageChat: 'ONIMV2MESSAGEADD',
  messageUpdate: 'ONIMV2MESSAGEUPDATE',
  messageDelete: 'ONIMV2MESSAGEDELETE',
  chatUserAdd: 'ONIMV2JOINCHAT',
};

const asRecord = (value: unknown): Params => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Params) : {});

/** A user of the Pull message's `users` map (snake_case) as im.v2 describes one. */
function v2User(raw: Params, id: number) {
  return {
    id,
    active: raw.active !== false,
    name: String(raw.name ?? ''),
    firstName: String(raw.first_name ?? ''),
    lastName: String(raw.last_name ?? ''),
    workPosition: String(raw.work_position ?? ''),
    color: String(raw.color ?? ''),
    avatar: String(raw.avatar ?? ''),
    gender: String(raw.gender ?? ''),
    birthday: '',
    extranet: false,
    bot: false,
    connector: false,
    externalAuthId: 'default',
    status: 'online',
    idle: false,
    lastActivityDate: false,
    mobileLastDate: false,
    desktopLastDate: false,
    absent: false,
    departments: [1],
    phones: false,
    website: '',
    email: String(raw.email ?? ''),
    type: 'employee',
  };
}

function v2Chat(params: Params, names: { peerName: string }) {
  const chatId = Number(params.chatId);
  const dialogId = String(params.dialogId);
  const raw = asRecord(asRecord(params.chat)[String(chatId)]);
  const isPrivate = !dialogId.startsWith('chat');
  return {
    id: chatId,
    dialogId,
    name: isPrivate ? names.peerName : String(raw.name ?? params.chatTitle ?? ''),
    type: isPrivate ? 'private' : String(raw.type ?? 'chat'),
    messageType: isPrivate ? 'P' : String(raw.message_type ?? 'C'),
    owner: Number(raw.owner ?? params.chatOwner ?? 0),
    color: String(raw.color ?? ''),
    avatar: '',
    description: '',
    extranet: false,
    containsCollaber: false,
    entityType: '',
    entityId: '',
    entityData1: '',
    entityData2: '',
    entityData3: '',
    entityLink: {},
    permissions: {},
    parentChatId: 0,
    parentMessageId: 0,
    isNew: false,
  };
}

function v2Message(params: Params, message: Params) {
  const flags = asRecord(message.params);
  return {
    id: Number(message.id ?? params.id),
    chatId: Number(message.chatId ?? params.chatId),
    authorId: Number(message.senderId ?? params.senderId),
    date: String(message.date ?? ''),
    text: String(message.text ?? params.text ?? ''),
    isSystem: message.system === 'Y',
    uuid: typeof message.templateId === 'string' ? message.templateId : '',
    forward: null,
    params: flags,
    viewedByOthers: false,
  };
}

/** The im.v2 event of one stored Pull message for `memberId`, or null when the feed has none for it. */
export function imV2EventOf(event: StoredEvent, memberId: number): ImV2Event | null {
  const body = JSON.parse(event.payload) as PullBody;
  const type = body.module_id === 'im' ? TYPES[body.command] : undefined;
  if (!type) return null;
  const params = asRecord(body.params);
  const users = asRecord(params.users);
  const userOf = (id: number) => v2User(asRecord(users[String(id)]), id);
  const dialogId = String(params.dialogId ?? '');
  const peerName = String(asRecord(users[dialogId]).name ?? '');
  const chat = v2Chat(params, { peerName });
  const base = { eventId: event.seq, type, date: isoDateTime(event.createdAt) };
  switch (type) {
    case 'ONIMV2MESSAGEADD': {
      const message = v2Message(params, asRecord(params.message));
      return { ...base, data: { message, chat, user: userOf(message.authorId), language: 'en' } };
    }
    case 'ONIMV2MESSAGEUPDATE': {
      const message = v2Message(params, {});
      return { ...base, data: { message, chat, user: userOf(message.authorId), language: 'en' } };
    }
    case 'ONIMV2MESSAGEDELETE':
      return { ...base, data: { messageId: Number(params.id), chat, user: { id: Number(params.senderId) }, language: 'en' } };
    case 'ONIMV2JOINCHAT':
      // Only the joining member's own copy says they joined.
      if (!Array.isArray(params.newUsers) || !params.newUsers.includes(memberId)) return null;
      return { ...base, data: { dialogId, chat, user: { id: memberId }, language: 'en' } };
    default:
      return null;
  }
}
