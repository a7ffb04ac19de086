import type { ImChat, ImDialogMessage, ImMessage, ImRecentItem, ImUser } from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import type { PortalPerson } from '../rest/userDirectory.ts';
import type { MemberChatRow } from '../store/chats.ts';
import type { Chat, Message } from '../store/schema.ts';
import { colorOf } from './colors.ts';
import { fullName, imUser } from './people.ts';

/** How a member names a chat: `chat12`, or for a private dialog the other member's id. */
export function dialogIdOf(chat: Pick<Chat, 'id' | 'type'>, peerMemberId: number | null): string {
  return chat.type === 'private' ? String(peerMemberId ?? 0) : `chat${chat.id}`;
}

/** A message as Bitrix24 shows one: text as stored (plain text), flags in `params` (none: `{}`). */
export function imMessage(row: Message): ImMessage {
  const params: ImMessage['params'] = row.deleted_at !== null ? { IS_DELETED: 'Y' } : row.edited_at !== null ? { IS_EDITED: 'Y' } : {};
  return {
    id: row.id,
    chat_id: row.chat_id,
    author_id: row.author_member_id,
    date: isoDateTime(row.created_at),
    text: row.deleted_at !== null ? '' : row.text,
    params,
    uuid: row.client_message_id,
  };
}

/** A message as im.dialog.messages.get lists it for `viewer`, who has read up to `lastReadId`. */
export function dialogMessage(row: Message, viewer: number, lastReadId: number): ImDialogMessage {
  return {
    ...imMessage(row),
    unread: row.author_member_id !== viewer && row.id > lastReadId && row.deleted_at === null,
    replaces: [],
    disappearing_date: null,
  };
}

const MESSAGE_TYPE = { chat: 'C', open: 'O', private: 'P' } as const;

/**
 * What members may do in a chat: what the portal has methods for (writing, listing the members);
 * it has none to rename, leave, mute, call or add members.
 */
const RESTRICTIONS: ImChat['restrictions'] = {
  avatar: false,
  rename: false,
  extend: false,
  call: false,
  mute: false,
  leave: false,
  leave_owner: false,
  send: true,
  user_list: true,
  path: '',
  path_title: '',
};

/** Bitrix24's defaults: everyone writes and adds members, managers remove them, the owner changes settings. */
const PERMISSIONS: ImChat['permissions'] = {
  manage_users_add: 'member',
  manage_users_delete: 'manager',
  manage_ui: 'member',
  manage_settings: 'owner',
  manage_messages: 'member',
  can_post: 'member',
};

/** The chat as one member (`viewer`) sees it (title of a private dialog: the other member's name). */
export function imChat(
  row: MemberChatRow,
  memberIds: readonly number[],
  people: ReadonlyMap<number, PortalPerson>,
  viewer: number,
): ImChat {
  const peer = row.peer_member_id === null ? undefined : people.get(row.peer_member_id);
  const title = row.type === 'private' ? (peer ? fullName(peer) : '') : row.title;
  return {
    id: row.id,
    parent_chat_id: 0,
    parent_message_id: 0,
    dialog_id: dialogIdOf(row, row.peer_member_id),
    name: title,
    title,
    owner: row.owner_member_id,
    extranet: false,
    contains_collaber: false,
    avatar: '',
    color: colorOf(row.type === 'private' ? (row.peer_member_id ?? row.id) : row.id),
    type: row.type,
    entity_type: '',
    entity_id: '',
    entity_data_1: '',
    entity_data_2: '',
    entity_data_3: '',
    mute_list: [],
    // A dialog not created yet has no owner, and so no manager.
    manager_list: row.owner_member_id ? [row.owner_member_id] : [],
    date_create: isoDateTime(row.created_at),
    message_type: MESSAGE_TYPE[row.type],
    user_counter: row.user_count,
    counter: row.unread,
    last_id: row.last_read_message_id,
    last_message_id: row.last_message_id,
    users: [...memberIds],
    restrictions: RESTRICTIONS,
    role: row.owner_member_id === viewer ? 'OWNER' : 'MEMBER',
    text_field_enabled: true,
    background_id: null,
    entity_link: { type: '', url: '', id: '' },
    permissions: PERMISSIONS,
    public: '',
  };
}

/** One im.recent.list item, as `viewer` sees it. */
export function recentItem(
  row: MemberChatRow,
  last: Message | undefined,
  memberIds: readonly number[],
  people: ReadonlyMap<number, PortalPerson>,
  viewer: number,
): ImRecentItem {
  const chat = imChat(row, memberIds, people, viewer);
  const message = last ? imMessage(last) : undefined;
  const userRow = row.type === 'private' ? people.get(row.peer_member_id ?? 0) : last ? people.get(last.author_member_id) : undefined;
  const user: ImUser | undefined = userRow ? imUser(userRow) : undefined;
  const date = isoDateTime(row.updated_at);
  return {
    // A private dialog is named by the other user's id, a number here (Bitrix24's docs).
    id: row.type === 'private' ? Number(chat.dialog_id) : chat.dialog_id,
    chat_id: row.id,
    type: row.type === 'private' ? 'user' : 'chat',
    avatar: { url: '', color: chat.color },
    title: chat.title,
    message: {
      id: message?.id ?? 0,
      text: message?.text ?? '',
      file: false,
      author_id: message?.author_id ?? 0,
      attach: false,
      sticker: null,
      date: message?.date ?? chat.date_create,
      status: 'received',
      uuid: message?.uuid ?? null,
    },
    counter: row.unread,
    last_id: row.last_read_message_id,
    pinned: false,
    unread: false,
    has_reminder: false,
    date_update: date,
    date_last_activity: date,
    ...(user ? { user } : {}),
    chat,
    options: [],
  };
}
