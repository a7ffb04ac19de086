import { randomUUID } from 'node:crypto';
import {
  type ChatsView,
  type ChatView,
  type DialogRef,
  IM_MESSAGE_MAX_LENGTH,
  IM_RECENT_MAX_LIMIT,
  type ImMessage,
  type ImMessagesPage,
  type ImRecentItem,
  type ImRecentList,
  type ImUser,
  type MessagesRequest,
  type MessagesResult,
  type MessageView,
  type ReadResult,
  type SendRequest,
  type SendResult,
} from '@multidesk/protocol';
import type { AccountAccess, AccountManager } from '../accounts/accountManager.ts';
import { RestCallError } from '../portal/portalSession.ts';

const CHATS_KEY = 'chats';
/** Messages per page of a dialog's history. */
const PAGE = 30;

type Failure = { ok: false; error: string; message: string };

function userName(user: Pick<ImUser, 'name' | 'first_name' | 'last_name'> | undefined, id: number): string {
  if (!user) return id === 0 ? '' : `User ${id}`;
  return user.name || `${user.first_name} ${user.last_name}`.trim() || `User ${id}`;
}

export function toChatView(item: ImRecentItem, me: number, meName: string): ChatView {
  const m = item.message;
  const authorName =
    m.author_id === me
      ? meName
      : m.author_id === item.user?.id
        ? userName(item.user, m.author_id)
        : m.author_id
          ? `User ${m.author_id}`
          : '';
  return {
    dialogId: item.id,
    chatId: item.chat_id,
    kind: item.type,
    title: item.title,
    color: item.avatar.color,
    lastMessage: m.id === 0 ? null : { id: m.id, text: m.text, date: m.date, authorId: m.author_id, authorName },
    unread: Math.max(0, item.counter),
  };
}

export function toMessageView(message: ImMessage, users: Map<number, string>): MessageView {
  return {
    id: message.id,
    authorId: message.author_id,
    authorName: users.get(message.author_id) ?? `User ${message.author_id}`,
    date: message.date,
    text: message.text,
    edited: message.params?.IS_EDITED === 'Y',
    deleted: message.params?.IS_DELETED === 'Y',
  };
}

/**
 * Chats of one account through Bitrix24's im.* methods: the recent list cached per account (the
 * saved copy shown, stale, when the portal cannot be reached), history pages, sending with a
 * client-chosen id so a retry never posts twice, and marking a dialog read.
 */
export class ChatService {
  readonly #manager: AccountManager;
  readonly #now: () => number;

  constructor(manager: AccountManager, now: () => number = Date.now) {
    this.#manager = manager;
    this.#now = now;
  }

  async list({ id }: { id: string }): Promise<ChatsView> {
    const account = this.#manager.access(id);
    const cached = account.cache.get<ChatView[]>(CHATS_KEY);
    let problem: string | undefined;
    if (account.session) {
      try {
        const answer = await account.session.call<ImRecentList>('im.recent.list', { LIMIT: IM_RECENT_MAX_LIMIT });
        const chats = answer.result.items.map((item) => toChatView(item, account.view.userId, account.view.userName));
        account.cache.put(CHATS_KEY, chats, this.#now());
        account.reportSuccess();
        return { chats, stale: false, fetchedAt: this.#now() };
      } catch (error) {
        problem = account.reportProblem(error);
      }
    }
    const why =
      problem ??
      (account.view.state === 'disconnected' ? 'Disconnected' : account.view.state === 'needs_login' ? 'Sign-in needed' : undefined);
    return { chats: cached?.value ?? [], stale: true, fetchedAt: cached?.updatedAt ?? null, ...(why ? { problem: why } : {}) };
  }

  /** A page of the dialog's history, oldest first; `beforeId` pages back from the oldest shown. */
  messages({ id, dialogId, beforeId }: MessagesRequest): Promise<MessagesResult> {
    return this.#call(id, async (account, session) => {
      const answer = await session.call<ImMessagesPage>('im.dialog.messages.get', {
        DIALOG_ID: dialogId,
        LIMIT: PAGE,
        ...(beforeId ? { LAST_ID: beforeId } : {}),
      });
      const users = new Map(answer.result.users.map((u) => [u.id, userName(u, u.id)]));
      users.set(account.view.userId, account.view.userName);
      const messages = answer.result.messages.map((m) => toMessageView(m, users)).sort((a, b) => a.id - b.id);
      return { ok: true, messages, hasOlder: answer.result.messages.length >= PAGE };
    });
  }

  /** Sends once: the CLIENT_MESSAGE_ID chosen here makes the portal answer a retry with the same message. */
  send({ id, dialogId, text }: SendRequest): Promise<SendResult> {
    if (text.trim() === '') return Promise.resolve({ ok: false, error: 'MESSAGE_EMPTY', message: 'Write a message first.' });
    if ([...text].length > IM_MESSAGE_MAX_LENGTH) {
      return Promise.resolve({
        ok: false,
        error: 'MESSAGE_TOO_LONG',
        message: `A message is at most ${IM_MESSAGE_MAX_LENGTH} characters.`,
      });
    }
    return this.sendWithId({ id, dialogId, text }, randomUUID());
  }

  /** One attempt of a send under a given client id (a retry passes the same id). */
  sendWithId({ id, dialogId, text }: SendRequest, clientMessageId: string): Promise<SendResult> {
    return this.#call(id, async (account, session) => {
      const answer = await session.call<number>('im.message.add', {
        DIALOG_ID: dialogId,
        MESSAGE: text,
        CLIENT_MESSAGE_ID: clientMessageId,
      });
      const messageId = Number(answer.result);
      return {
        ok: true,
        message: {
          id: messageId,
          authorId: account.view.userId,
          authorName: account.view.userName,
          date: new Date(this.#now()).toISOString(),
          text,
          edited: false,
          deleted: false,
        },
      };
    });
  }

  read({ id, dialogId }: DialogRef): Promise<ReadResult> {
    return this.#call(id, async (_account, session) => {
      const answer = await session.call<{ counter: number }>('im.dialog.read', { DIALOG_ID: dialogId });
      return { ok: true, unread: Number(answer.result.counter ?? 0) };
    });
  }

  async #call<T>(
    id: string,
    run: (account: AccountAccess, session: NonNullable<AccountAccess['session']>) => Promise<T>,
  ): Promise<T | Failure> {
    const account = this.#manager.access(id);
    if (!account.session) return { ok: false, error: 'not_connected', message: `${account.view.portalTitle} is not connected.` };
    try {
      const result = await run(account, account.session);
      account.reportSuccess();
      return result;
    } catch (error) {
      if (error instanceof RestCallError) {
        const message =
          error.code === 'ACCESS_DENIED'
            ? 'You are not a member of this chat.'
            : error.code === 'MESSAGE_EMPTY'
              ? 'Write a message first.'
              : error.message;
        return { ok: false, error: error.code, message };
      }
      return { ok: false, error: 'unreachable', message: account.reportProblem(error) ?? 'The portal could not be reached.' };
    }
  }
}
