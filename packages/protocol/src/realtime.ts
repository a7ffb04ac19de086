import { type Static, Type } from 'typebox';
import { ImCounters, ImDialogId, ImMessage } from './im.ts';

/**
 * Realtime: one WebSocket per signed-in client at `GET {portal}/realtime`. JSON text frames.
 *
 * 1. The client opens the socket (no token in the URL: a URL with one is refused with 400) and sends
 *    `auth` as its first message within REALTIME_AUTH_TIMEOUT_MS, with the `seq` of the last event it
 *    processed, if any.
 * 2. The server replays every event after `last_seq`, in order, then answers `ready` with the current
 *    `seq`. When it no longer keeps what the client missed (or `last_seq` is from another world), it
 *    answers `resync` instead of replaying: the client reloads its state over REST, then `ready` follows.
 *    Without `last_seq` nothing is replayed: load the state over REST after `ready`, then apply
 *    the events that follow (they may repeat what the load already showed; ids make that harmless).
 * 3. Events follow as they happen. Every event a user receives carries `seq`, per user, increasing by
 *    one per event, across all of that user's connections; a client keeps the last one it processed.
 * 4. A bad token: `error` (`invalid_token` or `expired_token`), then close 4401. A token that expires
 *    or is revoked while connected closes the same way; the client refreshes and reconnects with
 *    `last_seq`. The server pings every REALTIME_PING_INTERVAL_MS and drops sockets that do not pong;
 *    clients without access to ping frames may send `{type: "ping"}` and get `{type: "pong"}`.
 */
export const REALTIME_PATH = '/realtime';
export const REALTIME_AUTH_TIMEOUT_MS = 10_000;
export const REALTIME_PING_INTERVAL_MS = 30_000;
/** What is kept for replay, per user: the newest events up to this many, none older than the age. */
export const REALTIME_KEEP_EVENTS = 10_000;
export const REALTIME_KEEP_MS = 7 * 24 * 60 * 60_000;

export const RealtimeCloseCode = {
  /** Bad, expired or revoked token. */
  invalidToken: 4401,
  /** No auth message in time. */
  authTimeout: 4408,
  /** A message that is not JSON or not in this protocol. */
  invalidMessage: 4400,
  /** The server is shutting down: reconnect later. */
  goingAway: 1001,
} as const;

// Client -> server

export const RealtimeAuth = Type.Object({
  type: Type.Literal('auth'),
  access_token: Type.String({ minLength: 1, maxLength: 512 }),
  last_seq: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type RealtimeAuth = Static<typeof RealtimeAuth>;

export const RealtimePing = Type.Object({ type: Type.Literal('ping') });

export const RealtimeClientMessage = Type.Union([RealtimeAuth, RealtimePing]);
export type RealtimeClientMessage = Static<typeof RealtimeClientMessage>;

// Server -> client: control

export const RealtimeReady = Type.Object({ type: Type.Literal('ready'), seq: Type.Integer({ minimum: 0 }) });
export const RealtimeResync = Type.Object({ type: Type.Literal('resync'), seq: Type.Integer({ minimum: 0 }) });
export const RealtimeErrorCode = Type.Union([
  Type.Literal('invalid_token'),
  Type.Literal('expired_token'),
  Type.Literal('invalid_message'),
  Type.Literal('auth_timeout'),
]);
export const RealtimeError = Type.Object({
  type: Type.Literal('error'),
  error: RealtimeErrorCode,
  error_description: Type.Optional(Type.String()),
});
export type RealtimeError = Static<typeof RealtimeError>;
export const RealtimePong = Type.Object({ type: Type.Literal('pong') });

// Server -> client: events. `dialog_id` is as the receiving user sees the dialog.

const seq = Type.Integer({ minimum: 1 });

export const MessageNewEvent = Type.Object({
  seq,
  type: Type.Literal('message.new'),
  chat_id: Type.Integer(),
  dialog_id: ImDialogId,
  message: ImMessage,
});
export const MessageUpdatedEvent = Type.Object({
  seq,
  type: Type.Literal('message.updated'),
  chat_id: Type.Integer(),
  dialog_id: ImDialogId,
  message: ImMessage,
});
export const MessageDeletedEvent = Type.Object({
  seq,
  type: Type.Literal('message.deleted'),
  chat_id: Type.Integer(),
  dialog_id: ImDialogId,
  message_id: Type.Integer(),
});
/** Someone (`user_id`, maybe the receiver on another device) read the chat up to `last_id`. */
export const DialogReadEvent = Type.Object({
  seq,
  type: Type.Literal('dialog.read'),
  chat_id: Type.Integer(),
  dialog_id: ImDialogId,
  user_id: Type.Integer(),
  last_id: Type.Integer(),
});
/** The receiver's counters changed (a message arrived, was read or was deleted). */
export const CountersEvent = Type.Object({
  seq,
  type: Type.Literal('counters'),
  counters: ImCounters,
});
/** The receiver was made a member of a new group chat (im.chat.add). */
export const ChatAddedEvent = Type.Object({
  seq,
  type: Type.Literal('chat.added'),
  chat_id: Type.Integer(),
  dialog_id: ImDialogId,
  title: Type.String(),
});
/** A task the receiver takes part in changed: reload it with tasks.task.get. */
export const TaskChangedEvent = Type.Object({
  seq,
  type: Type.Literal('task.changed'),
  task_id: Type.Integer(),
  /** `added`, `updated` (complete and renew too) or `deleted`. */
  action: Type.String(),
});

export const RealtimeEvent = Type.Union([
  MessageNewEvent,
  MessageUpdatedEvent,
  MessageDeletedEvent,
  DialogReadEvent,
  CountersEvent,
  ChatAddedEvent,
  TaskChangedEvent,
]);
export type RealtimeEvent = Static<typeof RealtimeEvent>;
export type RealtimeEventType = RealtimeEvent['type'];

/** An event before the server numbers it for one receiver. */
export type RealtimeEventPayload = RealtimeEvent extends infer E ? (E extends { seq: number } ? Omit<E, 'seq'> : never) : never;

export const RealtimeServerMessage = Type.Union([RealtimeReady, RealtimeResync, RealtimeError, RealtimePong, RealtimeEvent]);
export type RealtimeServerMessage = Static<typeof RealtimeServerMessage>;
