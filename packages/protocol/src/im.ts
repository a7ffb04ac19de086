import { type Static, Type } from 'typebox';

/**
 * Chats over Bitrix24's `im.*` REST methods (scope `im`), in Bitrix24's shapes: snake_case fields,
 * dates as ISO-8601 with an offset (`2026-11-25T19:31:32+00:00`), dialog ids `chat<N>` for group
 * chats and the other user's id for private dialogs. Messages are plain text, never HTML.
 */

/** A message is 1..20000 characters (Unicode code points); empty or whitespace-only is refused. */
export const IM_MESSAGE_MAX_LENGTH = 20_000;
/** `im.dialog.messages.get`: 20 by default (as Bitrix24), at most 50. */
export const IM_MESSAGES_DEFAULT_LIMIT = 20;
export const IM_MESSAGES_MAX_LIMIT = 50;
/** `im.recent.list`: 50 by default, at most 200 (as Bitrix24). */
export const IM_RECENT_DEFAULT_LIMIT = 50;
export const IM_RECENT_MAX_LIMIT = 200;
/** Our extension of im.message.add: a client-chosen id that makes retries idempotent. */
export const IM_CLIENT_MESSAGE_ID_MAX_LENGTH = 100;

/** `chat12` or a user id (as text): what DIALOG_ID takes and what events and lists name. */
export const ImDialogId = Type.String();
export type ImDialogId = Static<typeof ImDialogId>;

export const ImMessageParams = Type.Union([
  Type.Object({
    IS_EDITED: Type.Optional(Type.Literal('Y')),
    IS_DELETED: Type.Optional(Type.Literal('Y')),
  }),
  Type.Null(),
]);

/** A message as im.dialog.messages.get and realtime events carry it. A deleted one keeps its id, with empty text. */
export const ImMessage = Type.Object({
  id: Type.Integer(),
  chat_id: Type.Integer(),
  author_id: Type.Integer(),
  date: Type.String(),
  text: Type.String(),
  params: ImMessageParams,
  /** The sender's CLIENT_MESSAGE_ID, or null (Bitrix24 calls its client-side id `uuid`). */
  uuid: Type.Union([Type.String(), Type.Null()]),
});
export type ImMessage = Static<typeof ImMessage>;

/** A user as the im methods describe one (Bitrix24's fields; what the portal does not model is empty). */
export const ImUser = Type.Object({
  id: Type.Integer(),
  active: Type.Boolean(),
  name: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  work_position: Type.String(),
  color: Type.String(),
  avatar: Type.String(),
  gender: Type.String(),
  birthday: Type.String(),
  extranet: Type.Boolean(),
  network: Type.Boolean(),
  bot: Type.Boolean(),
  connector: Type.Boolean(),
  external_auth_id: Type.String(),
  status: Type.String(),
  idle: Type.Boolean(),
  last_activity_date: Type.Union([Type.String(), Type.Boolean()]),
  mobile_last_date: Type.Union([Type.String(), Type.Boolean()]),
  desktop_last_date: Type.Union([Type.String(), Type.Boolean()]),
  absent: Type.Union([Type.String(), Type.Boolean()]),
  departments: Type.Array(Type.Integer()),
  phones: Type.Boolean(),
  type: Type.String(),
  website: Type.String(),
  email: Type.String(),
});
export type ImUser = Static<typeof ImUser>;

/** Chat kinds: Bitrix24's `chat` (closed group), `open` (open group) and `private` (one-on-one). */
export const ImChatType = Type.Union([Type.Literal('chat'), Type.Literal('open'), Type.Literal('private')]);
export type ImChatType = Static<typeof ImChatType>;

/** A chat as im.dialog.get answers (and as each im.recent.list item's `chat`). */
export const ImChat = Type.Object({
  id: Type.Integer(),
  dialog_id: ImDialogId,
  name: Type.String(),
  title: Type.String(),
  owner: Type.Integer(),
  extranet: Type.Boolean(),
  avatar: Type.String(),
  color: Type.String(),
  type: ImChatType,
  entity_type: Type.String(),
  entity_id: Type.String(),
  entity_data_1: Type.String(),
  entity_data_2: Type.String(),
  entity_data_3: Type.String(),
  mute_list: Type.Array(Type.Integer()),
  manager_list: Type.Array(Type.Integer()),
  date_create: Type.String(),
  /** `C` closed chat, `O` open chat, `P` private dialog. */
  message_type: Type.Union([Type.Literal('C'), Type.Literal('O'), Type.Literal('P')]),
  user_counter: Type.Integer(),
  /** The caller's unread messages here and the last message they read (0: none). */
  counter: Type.Integer(),
  last_id: Type.Integer(),
  /** The newest message's id (0: no messages yet). */
  last_message_id: Type.Integer(),
  /** Member user ids. */
  users: Type.Array(Type.Integer()),
});
export type ImChat = Static<typeof ImChat>;

export const ImRecentMessage = Type.Object({
  /** 0 when the chat has no message yet (then `text` is empty and `date` is the chat's creation). */
  id: Type.Integer(),
  text: Type.String(),
  file: Type.Boolean(),
  author_id: Type.Integer(),
  attach: Type.Boolean(),
  sticker: Type.Null(),
  date: Type.String(),
  status: Type.String(),
  uuid: Type.Union([Type.String(), Type.Null()]),
});

/** One dialog of im.recent.list. */
export const ImRecentItem = Type.Object({
  /** `chat12` for group chats, the other user's id as text for private dialogs. */
  id: ImDialogId,
  chat_id: Type.Integer(),
  type: Type.Union([Type.Literal('chat'), Type.Literal('user')]),
  avatar: Type.Object({ url: Type.String(), color: Type.String() }),
  title: Type.String(),
  message: ImRecentMessage,
  /** Unread messages for the caller. */
  counter: Type.Integer(),
  /** The last message the caller read (0: none). */
  last_id: Type.Integer(),
  pinned: Type.Boolean(),
  unread: Type.Boolean(),
  has_reminder: Type.Boolean(),
  date_update: Type.String(),
  date_last_activity: Type.String(),
  /** Private dialogs: the other user. Group chats: the last message's author, when there is one. */
  user: Type.Optional(ImUser),
  chat: ImChat,
  options: Type.Array(Type.Unknown()),
});
export type ImRecentItem = Static<typeof ImRecentItem>;

/** im.recent.list: newest activity first; page with OFFSET/LIMIT or LAST_MESSAGE_DATE. */
export const ImRecentList = Type.Object({
  items: Type.Array(ImRecentItem),
  hasMore: Type.Boolean(),
  /** Bitrix24's deprecated alias of hasMore. */
  hasMorePages: Type.Boolean(),
});
export type ImRecentList = Static<typeof ImRecentList>;

/** im.dialog.messages.get: newest first (as Bitrix24); LAST_ID pages back, FIRST_ID forward. */
export const ImMessagesPage = Type.Object({
  messages: Type.Array(ImMessage),
  users: Type.Array(ImUser),
  chat_id: Type.Integer(),
});
export type ImMessagesPage = Static<typeof ImMessagesPage>;

/** im.counters.get: unread messages per chat (`CHAT`, by chat id) and per private dialog (`DIALOG`, by user id). */
export const ImCounters = Type.Object({
  CHAT: Type.Record(Type.String(), Type.Integer()),
  DIALOG: Type.Record(Type.String(), Type.Integer()),
  LINES: Type.Record(Type.String(), Type.Integer()),
  TYPE: Type.Object({
    ALL: Type.Integer(),
    CHAT: Type.Integer(),
    DIALOG: Type.Integer(),
    LINES: Type.Integer(),
    NOTIFY: Type.Integer(),
  }),
});
export type ImCounters = Static<typeof ImCounters>;

/** im.dialog.read's answer. */
export const ImDialogRead = Type.Object({
  dialogId: ImDialogId,
  chatId: Type.Integer(),
  counter: Type.Integer(),
  lastId: Type.Integer(),
});
export type ImDialogRead = Static<typeof ImDialogRead>;
