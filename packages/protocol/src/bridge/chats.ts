import { type Static, Type } from 'typebox';
import { AccountId, SavedCopyReason } from './accounts.ts';

/** Chats of each account: the list, a dialog's pages, the outbox, reads, edits. */

/** The last message of a chat in the account's list. */
export const ChatLastMessage = Type.Object({
  id: Type.Integer(),
  text: Type.String(),
  /** ISO 8601 with time zone. */
  date: Type.String(),
  authorId: Type.Integer(),
  /** '' when the portal gave no name (a window says "User <authorId>" in its language) or no author (0). */
  authorName: Type.String(),
});

/** One chat of an account's recent list (im.recent.list). */
export const ChatView = Type.Object({
  /** `chat12` for group chats, the other user's id for private dialogs. */
  dialogId: Type.String(),
  chatId: Type.Integer(),
  kind: Type.Union([Type.Literal('chat'), Type.Literal('user')]),
  /** The name shown; avatar initials come from it. */
  title: Type.String(),
  color: Type.String(),
  lastMessage: Type.Union([ChatLastMessage, Type.Null()]),
  unread: Type.Integer({ minimum: 0 }),
});
export type ChatView = Static<typeof ChatView>;

export const ChatsView = Type.Object({
  chats: Type.Array(ChatView),
  stale: Type.Boolean(),
  fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  problem: Type.Optional(SavedCopyReason),
});
export type ChatsView = Static<typeof ChatsView>;

const DialogIdField = Type.String({ minLength: 1, maxLength: 40 });
export const DialogRef = Type.Object({ id: AccountId, dialogId: DialogIdField });
export type DialogRef = Static<typeof DialogRef>;

export const MessagesRequest = Type.Object({
  id: AccountId,
  dialogId: DialogIdField,
  /** Older than this message (the oldest shown): the previous page. */
  beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type MessagesRequest = Static<typeof MessagesRequest>;

/** A message as shown: plain text, never HTML. */
export const MessageView = Type.Object({
  id: Type.Integer(),
  authorId: Type.Integer(),
  /** '' when the portal gave no name (a window says "User <authorId>" in its language) or no author (0). */
  authorName: Type.String(),
  date: Type.String(),
  text: Type.String(),
  edited: Type.Boolean(),
  deleted: Type.Boolean(),
});
export type MessageView = Static<typeof MessageView>;

/**
 * A dialog's messages, oldest first, each id once, with `message` in: it replaces the one with its
 * id, or joins in order. The core's kept page and the Messenger's history apply changes alike.
 */
export function upsertMessage(messages: MessageView[], message: MessageView): MessageView[] {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at >= 0) return messages.with(at, message);
  const next = [...messages, message];
  return message.id < (messages.at(-1)?.id ?? 0) ? next.sort((a, b) => a.id - b.id) : next;
}

/**
 * Why the portal refused a queued message for good: its Bitrix24 error code (ACCESS_DENIED when the
 * user is not in the chat …), which the windows word, and its own words for a code they do not know.
 * `code` is empty for a refusal saved by an older version, which kept the words alone.
 */
export const SendRefusal = Type.Object({ code: Type.String(), message: Type.String() });
export type SendRefusal = Static<typeof SendRefusal>;

/**
 * A message written here and not yet accepted by the portal: kept in the account's outbox (it
 * survives a restart) and sent, in order, exactly once under its `clientId`.
 */
export const PendingMessageView = Type.Object({
  clientId: Type.String(),
  dialogId: Type.String(),
  text: Type.String(),
  /** When it was written (ISO 8601). */
  date: Type.String(),
  /** `sending`: being sent; `waiting`: for the portal to answer again; `failed`: refused, see `error`. */
  status: Type.Union([Type.Literal('sending'), Type.Literal('waiting'), Type.Literal('failed')]),
  error: Type.Optional(SendRefusal),
});
export type PendingMessageView = Static<typeof PendingMessageView>;

const ChatFailure = { ok: Type.Literal(false), error: Type.String(), message: Type.String() };

export const MessagesResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    /** Oldest first, for display. */
    messages: Type.Array(MessageView),
    /** More, older messages can be loaded (beforeId: the first one here). */
    hasOlder: Type.Boolean(),
    /** This dialog's messages still in the outbox, oldest first (shown after `messages`). */
    pending: Type.Array(PendingMessageView),
    /** The saved copy, shown because the portal cannot be reached (or is still connecting). */
    stale: Type.Boolean(),
    fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  }),
  Type.Object(ChatFailure),
]);
export type MessagesResult = Static<typeof MessagesResult>;

export const SendRequest = Type.Object({
  id: AccountId,
  dialogId: DialogIdField,
  text: Type.String({ maxLength: 40_000 }),
});
export type SendRequest = Static<typeof SendRequest>;

/** Accepted into the outbox (saved to disk): it is sent as soon as the portal can take it. */
export const SendResult = Type.Union([Type.Object({ ok: Type.Literal(true), pending: PendingMessageView }), Type.Object(ChatFailure)]);
export type SendResult = Static<typeof SendResult>;

export const OutboxRef = Type.Object({
  id: AccountId,
  clientId: Type.String({ minLength: 1, maxLength: 100 }),
});
export type OutboxRef = Static<typeof OutboxRef>;

export const MessageRef = Type.Object({
  id: AccountId,
  dialogId: DialogIdField,
  messageId: Type.Integer({ minimum: 1 }),
});
export type MessageRef = Static<typeof MessageRef>;

export const EditRequest = Type.Object({
  id: AccountId,
  dialogId: DialogIdField,
  messageId: Type.Integer({ minimum: 1 }),
  text: Type.String({ maxLength: 40_000 }),
});
export type EditRequest = Static<typeof EditRequest>;

export const ChatResult = Type.Union([Type.Object({ ok: Type.Literal(true) }), Type.Object(ChatFailure)]);
export type ChatResult = Static<typeof ChatResult>;

/** What the Messenger shows while it has the focus: no notification is raised for that chat. */
export const ViewingRequest = Type.Object({
  viewing: Type.Union([Type.Object({ id: AccountId, dialogId: Type.Optional(DialogIdField) }), Type.Null()]),
});
export type ViewingRequest = Static<typeof ViewingRequest>;

export const ReadResult = Type.Union([Type.Object({ ok: Type.Literal(true), unread: Type.Integer() }), Type.Object(ChatFailure)]);
export type ReadResult = Static<typeof ReadResult>;

/**
 * One chat changed, as the core applied it (a message came, was edited or deleted, the chat was
 * read, the outbox moved): windows apply it to what they show, with no request back. Each field
 * present replaces what it names; absent ones did not change.
 */
export const ChatDelta = Type.Object({
  dialogId: Type.String(),
  /** The chat as the list now shows it (last message, unread count). */
  chat: Type.Optional(ChatView),
  /** A message that came or changed (an edit, a deletion). */
  message: Type.Optional(MessageView),
  /** A message gone for good (Bitrix24's messageDeleteComplete). */
  removedMessageId: Type.Optional(Type.Integer()),
  /** The dialog's outbox, whole. */
  pending: Type.Optional(Type.Array(PendingMessageView)),
});
export type ChatDelta = Static<typeof ChatDelta>;
