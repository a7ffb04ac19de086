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

/** A message as im.dialog.messages.get lists it: what realtime events carry, and Bitrix24's other keys. */
export const ImDialogMessage = Type.Object({
  ...ImMessage.properties,
  /** Not read by the caller yet (their own messages never are unread). */
  unread: Type.Boolean(),
  /** Mentions replaced in the text: none, the text is plain. */
  replaces: Type.Array(Type.Unknown()),
  /** Messages never disappear here. */
  disappearing_date: Type.Null(),
});
export type ImDialogMessage = Static<typeof ImDialogMessage>;

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
  avatar_hr: Type.String(),
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
  /** Bots only; people have none. */
  bot_data: Type.Null(),
  type: Type.String(),
  website: Type.String(),
  email: Type.String(),
});
export type ImUser = Static<typeof ImUser>;

/** Chat kinds: Bitrix24's `chat` (closed group), `open` (open group) and `private` (one-on-one). */
export const ImChatType = Type.Union([Type.Literal('chat'), Type.Literal('open'), Type.Literal('private')]);
export type ImChatType = Static<typeof ImChatType>;

/** What a member may do in a chat (true: allowed). */
export const ImChatRestrictions = Type.Object({
  avatar: Type.Boolean(),
  rename: Type.Boolean(),
  extend: Type.Boolean(),
  call: Type.Boolean(),
  mute: Type.Boolean(),
  leave: Type.Boolean(),
  leave_owner: Type.Boolean(),
  send: Type.Boolean(),
  user_list: Type.Boolean(),
  path: Type.String(),
  path_title: Type.String(),
});

/** Who may do what in a chat: `owner`, `manager` or `member` (and anyone above). */
export const ImChatPermissions = Type.Object({
  manage_users_add: Type.String(),
  manage_users_delete: Type.String(),
  manage_ui: Type.String(),
  manage_settings: Type.String(),
  manage_messages: Type.String(),
  can_post: Type.String(),
});

/** A chat as each im.recent.list item's `chat` shows it (and the core of im.dialog.get). */
export const ImChat = Type.Object({
  id: Type.Integer(),
  /** Chats are not nested in others here (Bitrix24's threads): always 0. */
  parent_chat_id: Type.Integer(),
  parent_message_id: Type.Integer(),
  dialog_id: ImDialogId,
  name: Type.String(),
  title: Type.String(),
  owner: Type.Integer(),
  extranet: Type.Boolean(),
  contains_collaber: Type.Boolean(),
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
  restrictions: ImChatRestrictions,
  /** The caller's role: `OWNER` or `MEMBER` (im.dialog.get writes it in lower case). */
  role: Type.String(),
  text_field_enabled: Type.Boolean(),
  background_id: Type.Null(),
  /** What the chat is bound to (a CRM deal, a task): nothing here. */
  entity_link: Type.Object({ type: Type.String(), url: Type.String(), id: Type.String() }),
  permissions: ImChatPermissions,
  /** An open chat's public link: none. */
  public: Type.String(),
});
export type ImChat = Static<typeof ImChat>;

/** How far one member has read a chat (`date`: when, which the portal does not keep). */
export const ImReadMark = Type.Object({
  user_id: Type.Integer(),
  user_name: Type.String(),
  message_id: Type.Integer(),
  date: Type.Union([Type.String(), Type.Null()]),
});

/** im.dialog.get: the chat, with its history's figures and how far the others have read. */
export const ImDialog = Type.Object({
  ...ImChat.properties,
  description: Type.String(),
  message_count: Type.Integer(),
  /** The caller's first unread message (0: none). */
  unread_id: Type.Integer(),
  marked_id: Type.Integer(),
  disk_folder_id: Type.Integer(),
  is_new: Type.Boolean(),
  /** The other members' read marks. */
  readed_list: Type.Array(ImReadMark),
  last_message_views: Type.Object({
    message_id: Type.Integer(),
    first_viewers: Type.Array(Type.Unknown()),
    count_of_viewers: Type.Integer(),
  }),
});
export type ImDialog = Static<typeof ImDialog>;

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
  /** `chat12` for group chats, the other user's id (a number, as Bitrix24 sends it) for private dialogs. */
  id: Type.Union([ImDialogId, Type.Integer()]),
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
  /** Bitrix24's AI assistant: none here. */
  copilot: Type.Object({
    chats: Type.Null(),
    messages: Type.Null(),
    roles: Type.Record(Type.String(), Type.Unknown()),
    recommendedRoles: Type.Array(Type.String()),
  }),
  messagesAutoDeleteConfigs: Type.Array(Type.Unknown()),
});
export type ImRecentList = Static<typeof ImRecentList>;

/** im.dialog.messages.get: newest first (as Bitrix24); LAST_ID pages back, FIRST_ID forward. */
export const ImMessagesPage = Type.Object({
  messages: Type.Array(ImDialogMessage),
  users: Type.Array(ImUser),
  chat_id: Type.Integer(),
  /** Files of these messages: messages here carry none. */
  files: Type.Array(Type.Unknown()),
});
export type ImMessagesPage = Static<typeof ImMessagesPage>;

/**
 * im.counters.get: unread messages per chat (`CHAT`, by chat id) and per private dialog (`DIALOG`,
 * by user id). Muted chats and chats marked unread by hand do not exist here: their maps are empty.
 */
export const ImCounters = Type.Object({
  CHAT: Type.Record(Type.String(), Type.Integer()),
  CHAT_MUTED: Type.Record(Type.String(), Type.Integer()),
  CHAT_UNREAD: Type.Record(Type.String(), Type.Integer()),
  DIALOG: Type.Record(Type.String(), Type.Integer()),
  DIALOG_UNREAD: Type.Record(Type.String(), Type.Integer()),
  LINES: Type.Record(Type.String(), Type.Integer()),
  TYPE: Type.Object({
    ALL: Type.Integer(),
    CHAT: Type.Integer(),
    DIALOG: Type.Integer(),
    LINES: Type.Integer(),
    NOTIFY: Type.Integer(),
    /** CHAT + DIALOG + LINES. */
    MESSENGER: Type.Integer(),
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
