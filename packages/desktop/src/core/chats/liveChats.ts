import { type ChatDelta, type ChatView, type ImMessage, type MessageView, upsertMessage } from '@multidesk/protocol';
import type { AccountChange, MessageEdit } from '../realtime/pullCommands.ts';

/** The newest page of a dialog as fetched, then kept in step. `posted`: client ids of messages it holds. */
export interface DialogPage {
  messages: MessageView[];
  hasOlder: boolean;
  posted: string[];
  at: number;
}

interface AccountChats {
  list: { chats: ChatView[]; at: number } | null;
  dialogs: Map<string, DialogPage>;
  /** Counts the changes applied: a fetch that overlapped one is not kept (it may predate it). */
  epoch: number;
}

/** What applying a change did: the delta windows apply as well, and what they must reload instead. */
export interface Applied {
  delta?: ChatDelta;
  /** The list, or the dialog, could not be brought up to date here: windows showing it reload it. */
  reload: boolean;
}

const NOTHING: Applied = { reload: false };

/** As the portal then lists it: a deleted message has no text and is no longer "edited" (its params say only IS_DELETED). */
function edited(message: MessageView, edit: MessageEdit): MessageView {
  if (edit.change === 'edited') return { ...message, text: edit.text, edited: true };
  return { ...message, text: '', edited: false, deleted: true };
}

/**
 * What the core holds of each account's chats while its link is live: the recent list and the
 * newest page of each dialog opened, as last fetched, then changed in place by every realtime event
 * and every message sent from here. Served instead of asking the portal again, so an incoming
 * message costs no REST call; forgotten when the link comes back without replaying what it missed.
 */
export class LiveChats {
  readonly #accounts = new Map<string, AccountChats>();
  /** A dialog's newest page holds this many messages; older ones go, and the page says there are older. */
  readonly #pageSize: number;

  constructor(pageSize: number) {
    this.#pageSize = pageSize;
  }

  /** The page with `message` in it, still the newest `pageSize` messages. */
  #withMessage(page: DialogPage, message: MessageView, clientId?: string | null): DialogPage {
    const messages = upsertMessage(page.messages, message);
    const posted = clientId && !page.posted.includes(clientId) ? [...page.posted, clientId] : page.posted;
    if (messages.length <= this.#pageSize) return { ...page, messages, posted };
    return { ...page, messages: messages.slice(-this.#pageSize), hasOlder: true, posted };
  }

  #of(id: string): AccountChats {
    let chats = this.#accounts.get(id);
    if (!chats) {
      chats = { list: null, dialogs: new Map(), epoch: 0 };
      this.#accounts.set(id, chats);
    }
    return chats;
  }

  /** What changed while away was not replayed: every list and page is fetched again. */
  forget(id: string): void {
    this.#accounts.delete(id);
  }

  list(id: string): { chats: ChatView[]; at: number } | null {
    return this.#accounts.get(id)?.list ?? null;
  }

  dialog(id: string, dialogId: string): DialogPage | null {
    return this.#accounts.get(id)?.dialogs.get(dialogId) ?? null;
  }

  /** Before a fetch: the mark `keep*` checks, so that a fetch overlapping a change is not kept. */
  mark(id: string): number {
    return this.#of(id).epoch;
  }

  keepList(id: string, mark: number, chats: ChatView[], at: number): void {
    const account = this.#of(id);
    if (account.epoch === mark) account.list = { chats, at };
  }

  keepDialog(id: string, mark: number, dialogId: string, page: DialogPage): void {
    const account = this.#of(id);
    if (account.epoch === mark) account.dialogs.set(dialogId, page);
  }

  /** A realtime change; `me`: the account's user, whose own messages are named and never unread. */
  apply(id: string, change: AccountChange, me: { id: number; name: string }): Applied {
    if (change.kind === 'task-changed') return NOTHING;
    const account = this.#of(id);
    account.epoch++;
    if (change.kind === 'chat-list-changed') {
      account.list = null;
      return { reload: true };
    }
    if (change.kind === 'message-new') return this.#messageNew(account, change, me);
    return this.#chatChanged(account, change);
  }

  /** Our own message, accepted by the portal under `clientId` (its realtime echo may come before or after). */
  applySent(id: string, dialogId: string, message: MessageView, clientId: string): Applied {
    const account = this.#of(id);
    account.epoch++;
    const page = account.dialogs.get(dialogId);
    if (page) account.dialogs.set(dialogId, this.#withMessage(page, message, clientId));
    const chat = this.#setLast(account, dialogId, message, (unread) => unread);
    return { delta: { dialogId, message, ...(chat ? { chat } : {}) }, reload: !chat && account.list === null };
  }

  #messageNew(account: AccountChats, change: Extract<AccountChange, { kind: 'message-new' }>, me: { id: number; name: string }): Applied {
    const { dialogId, message: raw } = change;
    const page = account.dialogs.get(dialogId);
    const entry = account.list?.chats.find((c) => c.dialogId === dialogId);
    const message = toView(raw, this.#authorName(raw, change.authorName, me, page, entry));
    if (page) account.dialogs.set(dialogId, this.#withMessage(page, message, raw.uuid));
    const mine = raw.author_id === me.id;
    const chat = this.#setLast(account, dialogId, message, (unread) => change.counter ?? (mine ? unread : unread + 1));
    // A chat the list does not have yet (a new dialog, a chat just joined): only the portal can list it.
    if (!chat) account.list = null;
    return { delta: { dialogId, message, ...(chat ? { chat } : {}) }, reload: !chat };
  }

  #chatChanged(account: AccountChats, change: Extract<AccountChange, { kind: 'chat-changed' }>): Applied {
    const { dialogId, edit } = change;
    let message: MessageView | undefined;
    let removedMessageId: number | undefined;
    let reload = false;
    if (edit) {
      const page = account.dialogs.get(dialogId);
      const shown = page?.messages.find((m) => m.id === edit.id);
      if (page && shown && edit.change === 'removed') {
        removedMessageId = edit.id;
        account.dialogs.set(dialogId, { ...page, messages: page.messages.filter((m) => m.id !== edit.id) });
      } else if (page && shown) {
        message = edited(shown, edit);
        account.dialogs.set(dialogId, { ...page, messages: upsertMessage(page.messages, message) });
      } else {
        // Not on the page the core holds: a window may show it from an older page, so it reloads.
        reload = true;
      }
    }
    let chat: ChatView | undefined;
    const list = account.list;
    const entry = list?.chats.find((c) => c.dialogId === dialogId);
    if (list && entry) {
      chat = { ...entry, ...(change.counter !== undefined ? { unread: change.counter } : {}) };
      if (edit && entry.lastMessage?.id === edit.id && edit.change === 'removed') {
        // What came before it is not known here: the portal lists the chat again.
        account.list = null;
        chat = undefined;
        reload = true;
      } else if (edit && chat.lastMessage?.id === edit.id) {
        chat = { ...chat, lastMessage: { ...chat.lastMessage, text: edit.change === 'edited' ? edit.text : '' } };
      }
      const changed = chat;
      if (changed) account.list = { ...list, chats: list.chats.map((c) => (c.dialogId === dialogId ? changed : c)) };
    } else if (change.counter !== undefined) {
      reload = true;
    }
    if (!chat && !message && removedMessageId === undefined) return { reload };
    return {
      delta: { dialogId, ...(chat ? { chat } : {}), ...(message ? { message } : {}), ...(removedMessageId ? { removedMessageId } : {}) },
      reload,
    };
  }

  /** Puts `message` last in its chat's entry and the chat first in the list; null when the list does not have it. */
  #setLast(account: AccountChats, dialogId: string, message: MessageView, unread: (before: number) => number): ChatView | undefined {
    const list = account.list;
    const entry = list?.chats.find((c) => c.dialogId === dialogId);
    if (!list || !entry) return undefined;
    const newer = (entry.lastMessage?.id ?? 0) <= message.id;
    const chat: ChatView = {
      ...entry,
      ...(newer
        ? {
            lastMessage: {
              id: message.id,
              text: message.text,
              date: message.date,
              authorId: message.authorId,
              authorName: message.authorName,
            },
          }
        : {}),
      unread: Math.max(0, unread(entry.unread)),
    };
    const others = list.chats.filter((c) => c.dialogId !== dialogId);
    account.list = { ...list, chats: newer ? [chat, ...others] : list.chats.map((c) => (c.dialogId === dialogId ? chat : c)) };
    return chat;
  }

  /** The sender's name: ours, the command's, one already shown for them, or the dialog's (a private dialog is named after them). */
  #authorName(
    raw: ImMessage,
    fromCommand: string | undefined,
    me: { id: number; name: string },
    page: DialogPage | undefined,
    entry: ChatView | undefined,
  ): string {
    if (raw.author_id === me.id) return me.name;
    if (fromCommand) return fromCommand;
    const known = page?.messages.find((m) => m.authorId === raw.author_id)?.authorName;
    if (known) return known;
    if (entry?.kind === 'user' && entry.dialogId === String(raw.author_id)) return entry.title;
    // Unknown: the windows say "User 12" in their language.
    return '';
  }
}

function toView(message: ImMessage, authorName: string): MessageView {
  return {
    id: message.id,
    authorId: message.author_id,
    authorName,
    date: message.date,
    text: message.text,
    edited: message.params?.IS_EDITED === 'Y',
    deleted: message.params?.IS_DELETED === 'Y',
  };
}
