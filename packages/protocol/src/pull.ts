import { type Static, Type } from 'typebox';

/**
 * Bitrix24's Push & Pull, as the official docs, the JS SDK and the product code describe it
 * (`../shared/bitrix24/PROTOCOL.md` §3): `pull.config.get` names the push server and the user's
 * signed channels; a WebSocket (or long polling) at the server's address carries messages
 * `{module_id, command, params, extra}`, each with a `mid` to resume from after a drop.
 *
 * Real portals put extra keys everywhere and empty PHP maps arrive as `[]`: the schemas here
 * describe what a client needs and allow more.
 */

/** The JS SDK's revision; a config whose `api.revision_web` differs is from another protocol generation. */
export const PULL_REVISION = 19;
export const PULL_REVISION_MOBILE = 3;
/** A channel lives 12 hours (CPullChannel::CHANNEL_TTL = 43205 s). */
export const PULL_CHANNEL_TTL_SECONDS = 43_205;
/** Where a portal serves its push server (on-premise Bitrix24 uses the same paths). */
export const PULL_WEBSOCKET_PATH = '/bitrix/subws/';
export const PULL_LONG_POLLING_PATH = '/bitrix/sub/';
/** Long polling: the server holds a request this long, then answers 304. */
export const PULL_LONG_POLL_HOLD_MS = 40_000;
/** The fixed Expires header of a long-polling 304 that carries Last-Message-Id. */
export const PULL_LONG_POLL_EXPIRES = 'Thu, 01 Jan 1973 11:11:01 GMT';
/** Server v5: the server sends `ping` at least this often; a client that hears nothing for twice this reconnects. */
export const PULL_JSON_RPC_PING_MS = 10_000;

/** WebSocket close codes of the Pull protocol (JS SDK `CloseReasons`). */
export const PullCloseCode = {
  normal: 1000,
  serverDie: 1001,
  configReplaced: 3000,
  channelExpired: 3001,
  serverRestarted: 3002,
  configExpired: 3003,
  manual: 3004,
  stuck: 3005,
  wrongChannelId: 4010,
} as const;

const Channel = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    start: Type.String(),
    end: Type.String(),
    type: Type.String(),
    public_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type PullChannel = Static<typeof Channel>;

/** `pull.config.get` / `pull.application.config.get` answer (`result`). */
export const PullConfig = Type.Object(
  {
    server: Type.Object(
      {
        version: Type.Integer(),
        server_enabled: Type.Boolean(),
        mode: Type.String(),
        long_polling: Type.String(),
        /** Spelled so in Bitrix24's code, docs and SDK; older docs say long_polling_secure. */
        long_pooling_secure: Type.Optional(Type.String()),
        long_polling_secure: Type.Optional(Type.String()),
        websocket_enabled: Type.Boolean(),
        websocket: Type.String(),
        websocket_secure: Type.String(),
        publish_enabled: Type.Optional(Type.Boolean()),
        publish: Type.Optional(Type.String()),
        publish_secure: Type.Optional(Type.String()),
        config_timestamp: Type.Integer(),
        hostname: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
    api: Type.Object({ revision_web: Type.Integer(), revision_mobile: Type.Integer() }, { additionalProperties: true }),
    channels: Type.Object(
      {
        shared: Type.Optional(Channel),
        /** Absent from server version 5: the `jwt` carries the channels. */
        private: Type.Optional(Channel),
      },
      { additionalProperties: true },
    ),
    /** Unix seconds when this config must be fetched again. */
    exp: Type.Optional(Type.Integer()),
    /** The server's clock (ISO 8601), for the client's time shift. */
    serverTime: Type.Optional(Type.String()),
    /** Server version 5 and later: the connection's credentials (`token=` in the URL). */
    jwt: Type.Optional(Type.String()),
    /** `server.mode == "shared"` (Bitrix24 cloud): required as `clientId=` in the URL. */
    clientId: Type.Optional(Type.String()),
    publicChannels: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type PullConfig = Static<typeof PullConfig>;

/** What every Pull message says: which module, which command, its parameters. */
export const PullBody = Type.Object(
  {
    module_id: Type.String(),
    command: Type.String(),
    params: Type.Unknown(),
    extra: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);
export type PullBody = Static<typeof PullBody>;

/** `extra` as the server fills it for every message. */
export interface PullExtra {
  server_time: string;
  server_time_unix: number;
  server_name: string;
  revision_web: number;
  revision_mobile: number;
}

/** One message as it comes off the wire, whatever the framing: its id to resume from, and its body. */
export interface PullMessage {
  mid: string;
  body: PullBody;
}

// --- im commands: the parts of Bitrix24's params a client reads (PROTOCOL.md §3.6, pull-shapes §1) ---

/** `chat12` for a group, a user id for a private dialog: a number in some commands, a string in others. */
export const PullDialogId = Type.Union([Type.String(), Type.Integer()]);

/** An empty PHP map arrives as `[]`. */
const MapOrEmpty = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Union([Type.Record(Type.String(), value), Type.Array(Type.Unknown(), { maxItems: 0 })]);

export const PullRawMessage = Type.Object(
  {
    id: Type.Integer(),
    chatId: Type.Integer(),
    senderId: Type.Integer(),
    date: Type.String(),
    text: Type.String(),
    /** `IS_EDITED`, `IS_DELETED` … as `Y`; `[]` when there are none. */
    params: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())]),
    /** The sender's client-side id (im.message.add's UUID / TEMPLATE_ID); may be empty. */
    templateId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    system: Type.Optional(Type.Union([Type.Literal('Y'), Type.Literal('N')])),
  },
  { additionalProperties: true },
);
export type PullRawMessage = Static<typeof PullRawMessage>;

export const PullRawUser = Type.Object(
  {
    id: Type.Union([Type.Integer(), Type.String()]),
    name: Type.Optional(Type.String()),
    first_name: Type.Optional(Type.String()),
    last_name: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** `message` (private dialog) and `messageChat` (group chat). */
export const PullMessageAddParams = Type.Object(
  {
    chatId: Type.Integer(),
    dialogId: PullDialogId,
    /** The receiver's unread messages in this chat. */
    counter: Type.Integer(),
    message: PullRawMessage,
    users: Type.Optional(Type.Union([MapOrEmpty(PullRawUser), Type.Null()])),
    chat: Type.Optional(Type.Unknown()),
    notify: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  },
  { additionalProperties: true },
);
export type PullMessageAddParams = Static<typeof PullMessageAddParams>;

export const PullMessageUpdateParams = Type.Object(
  {
    id: Type.Integer(),
    chatId: Type.Integer(),
    senderId: Type.Integer(),
    dialogId: PullDialogId,
    text: Type.String(),
    params: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())]),
  },
  { additionalProperties: true },
);
export type PullMessageUpdateParams = Static<typeof PullMessageUpdateParams>;

/** `messageDelete` (text replaced) and `messageDeleteComplete` (row removed). */
export const PullMessageDeleteParams = Type.Object(
  {
    id: Type.Integer(),
    chatId: Type.Integer(),
    dialogId: PullDialogId,
    senderId: Type.Optional(Type.Integer()),
    counter: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);
export type PullMessageDeleteParams = Static<typeof PullMessageDeleteParams>;

/** `readMessage` / `readMessageChat`: the receiver read the chat (on any device) up to `lastId`. */
export const PullReadParams = Type.Object(
  {
    chatId: Type.Integer(),
    dialogId: PullDialogId,
    lastId: Type.Integer(),
    counter: Type.Integer(),
  },
  { additionalProperties: true },
);
export type PullReadParams = Static<typeof PullReadParams>;

/** `readMessageOpponent` / `readMessageChatOpponent`: someone else read the chat up to `lastId`. */
export const PullReadOpponentParams = Type.Object(
  {
    chatId: Type.Integer(),
    dialogId: PullDialogId,
    userId: Type.Integer(),
    lastId: Type.Integer(),
  },
  { additionalProperties: true },
);
export type PullReadOpponentParams = Static<typeof PullReadOpponentParams>;

/** `unreadMessage` / `unreadMessageChat` / `chatUnread`: the receiver's counter of the chat changed. */
export const PullUnreadParams = Type.Object(
  {
    chatId: Type.Integer(),
    dialogId: PullDialogId,
    counter: Type.Integer(),
  },
  { additionalProperties: true },
);

/** `chatUserAdd`, `chatUserLeave`, `chatRename` (`name`, or `chatTitle` in older versions). */
export const PullChatChangeParams = Type.Object(
  {
    chatId: Type.Integer(),
    dialogId: Type.Optional(PullDialogId),
    newUsers: Type.Optional(Type.Array(Type.Integer())),
    userId: Type.Optional(Type.Integer()),
    name: Type.Optional(Type.String()),
    chatTitle: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type PullChatChangeParams = Static<typeof PullChatChangeParams>;

// --- tasks commands (module_id "tasks"): UPPER keys, as Bitrix24's tasks module sends them ---

export const PullTaskParams = Type.Object({ TASK_ID: Type.Union([Type.Integer(), Type.String()]) }, { additionalProperties: true });
export type PullTaskParams = Static<typeof PullTaskParams>;

/** `pull` module control commands (`channel_expire`, `config_expire`, `server_restart`). */
export const PullChannelExpireParams = Type.Object(
  {
    action: Type.String(),
    channel: Type.Optional(Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true })),
    new_channel: Type.Optional(Channel),
  },
  { additionalProperties: true },
);
export type PullChannelExpireParams = Static<typeof PullChannelExpireParams>;

// --- im.v2.Event.* (the documented polling path; works for webhooks and apps) ---

export const IM_V2_EVENT_TYPES = [
  'ONIMV2MESSAGEADD',
  'ONIMV2MESSAGEUPDATE',
  'ONIMV2MESSAGEDELETE',
  'ONIMV2REACTIONCHANGE',
  'ONIMV2JOINCHAT',
] as const;
export type ImV2EventType = (typeof IM_V2_EVENT_TYPES)[number];
export const IM_V2_EVENT_DEFAULT_LIMIT = 100;
export const IM_V2_EVENT_MAX_LIMIT = 1000;
/** Events are kept this long (Bitrix24: 24 h). */
export const IM_V2_EVENT_KEEP_MS = 24 * 60 * 60_000;

export const ImV2Message = Type.Object(
  {
    id: Type.Integer(),
    chatId: Type.Integer(),
    authorId: Type.Integer(),
    date: Type.String(),
    text: Type.String(),
    isSystem: Type.Boolean(),
    uuid: Type.Union([Type.String(), Type.Null()]),
    forward: Type.Unknown(),
    params: Type.Unknown(),
    viewedByOthers: Type.Boolean(),
  },
  { additionalProperties: true },
);
export type ImV2Message = Static<typeof ImV2Message>;

export const ImV2Chat = Type.Object(
  {
    id: Type.Integer(),
    dialogId: Type.String(),
    name: Type.String(),
    type: Type.String(),
    messageType: Type.String(),
  },
  { additionalProperties: true },
);

export const ImV2Event = Type.Object(
  {
    eventId: Type.Integer(),
    type: Type.String(),
    date: Type.String(),
    data: Type.Object(
      {
        message: Type.Optional(ImV2Message),
        messageId: Type.Optional(Type.Integer()),
        chat: Type.Optional(ImV2Chat),
        dialogId: Type.Optional(Type.String()),
        user: Type.Optional(Type.Unknown()),
        language: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);
export type ImV2Event = Static<typeof ImV2Event>;

/** `im.v2.Event.get` answer (`result`). */
export const ImV2EventPage = Type.Object(
  {
    events: Type.Array(ImV2Event),
    nextOffset: Type.Integer(),
    hasMore: Type.Boolean(),
  },
  { additionalProperties: true },
);
export type ImV2EventPage = Static<typeof ImV2EventPage>;
