import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type ChatDelta,
  type ChatResult,
  type ChatsView,
  type ChatView,
  type DialogRef,
  type EditRequest,
  IM_MESSAGE_MAX_LENGTH,
  IM_RECENT_MAX_LIMIT,
  type ImMessage,
  type ImMessagesPage,
  type ImRecentItem,
  type ImRecentList,
  type ImUser,
  type MessageRef,
  type MessagesRequest,
  type MessagesResult,
  type MessageView,
  type OutboxRef,
  type PendingMessageView,
  type PortalProblem,
  type ReadResult,
  type SendRequest,
  type SendResult,
} from '@multidesk/protocol';
import type { AccountAccess, AccountManager } from '../accounts/accountManager.ts';
import { requestFailure, savedCopyReason } from '../accounts/accountProblems.ts';
import { DeferredSaves } from '../accounts/deferredSaves.ts';
import { RestCallError } from '../portal/portalSession.ts';
import type { AccountChange } from '../realtime/pullCommands.ts';
import { type Applied, LiveChats } from './liveChats.ts';

const CHATS_KEY = 'chats';
/** The newest page of a dialog, saved so a restart or an outage still shows it. */
const messagesKey = (dialogId: string) => `messages:${dialogId}`;
/** Messages per page of a dialog's history. */
const PAGE = 30;
/** Waits between outbox attempts while the portal cannot be reached or is rate-limiting us. */
const RETRY_BASE_MS = 1_000;
const RETRY_CAP_MS = 30_000;
/** Kept lists and pages go to disk this long after they last changed: a burst is written once. */
const SAVE_DELAY_MS = 1_000;
/** How soon the windows reload what a rate limit kept from them. */
const RELOAD_SOON_MS = 2_000;

type Failure = { ok: false; error: string; message: string };

/** Bitrix24's answer to too many requests: wait and send again, nothing is wrong with the message. */
const RATE_LIMITED = 'QUERY_LIMIT_EXCEEDED';

function textProblem(text: string): Failure | null {
  if (text.trim() === '') return { ok: false, error: 'MESSAGE_EMPTY', message: 'Write a message first.' };
  if ([...text].length > IM_MESSAGE_MAX_LENGTH) {
    return { ok: false, error: 'MESSAGE_TOO_LONG', message: `A message is at most ${IM_MESSAGE_MAX_LENGTH} characters.` };
  }
  return null;
}

/** The portal (or a proxy in front of it) is down or restarting: the message waits and goes again. */
const isTransient = (error: RestCallError) => error.code === RATE_LIMITED || error.status >= 500;

/** The portal's name for a user; '' when it gave none (the windows then say "User 12" in their language). */
function userName(user: Pick<ImUser, 'name' | 'first_name' | 'last_name'> | undefined): string {
  if (!user) return '';
  return user.name || `${user.first_name} ${user.last_name}`.trim();
}

export function toChatView(item: ImRecentItem, me: number, meName: string): ChatView {
  const m = item.message;
  const authorName = m.author_id === me ? meName : m.author_id === item.user?.id ? userName(item.user) : '';
  return {
    // Bitrix24 names a private dialog by the other user's id, a number: the UI's dialog ids are text.
    dialogId: String(item.id),
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
    authorName: users.get(message.author_id) ?? '',
    date: message.date,
    text: message.text,
    edited: message.params?.IS_EDITED === 'Y',
    deleted: message.params?.IS_DELETED === 'Y',
  };
}

export interface ChatServiceEvents {
  /** The account's chats changed in a way not applied here (a chat joined or left, a gap): windows reload the list and that dialog. */
  changed: [accountId: string, dialogId?: string];
  /** A chat changed and was applied here (a message came, changed or went, the chat was read, the outbox moved): windows apply the same. */
  delta: [accountId: string, delta: ChatDelta];
  /** Someone else's message arrived as it happened (not replayed after an absence). */
  'message-new': [accountId: string, dialogId: string, message: ImMessage];
}

/**
 * The one owner of chats. Chats of one account through Bitrix24's im.* methods: the recent list and each dialog's newest
 * page cached per account (the saved copy shown, stale, when the portal cannot be reached), older
 * pages, edit and delete, marking read, and the outbox: a sent message is saved first and then
 * posted, in order, under a client-chosen id, so neither an outage nor a crash loses or doubles it.
 */
export class ChatService extends EventEmitter<ChatServiceEvents> {
  readonly #manager: AccountManager;
  readonly #now: () => number;
  /** Accounts whose outbox is being sent now, and the one message in flight for each. */
  readonly #sending = new Map<string, string | null>();
  /** Accounts that got a message (or came back) while their outbox was being sent: go again after. */
  readonly #again = new Set<string>();
  readonly #retryTimers = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  readonly #reloadTimers = new Map<string, NodeJS.Timeout>();
  /** Closed with the core: nothing more is sent (the caches are closing). */
  #closed = false;
  /** The lists and pages served while the account is live, kept in step with its events. */
  readonly #live = new LiveChats(PAGE);
  /** Dialogs whose kept copy changed, saved for a restart to show once a burst is over. */
  readonly #saves = new DeferredSaves(SAVE_DELAY_MS, (id, dialogs) => this.#saveKept(id, dialogs));

  constructor(manager: AccountManager, now: () => number = Date.now) {
    super();
    this.#manager = manager;
    this.#now = now;
    // Back online (or just started): whatever waits in the outbox goes out.
    manager.on('live', (id) => this.#drain(id));
    manager.on('realtime', (id, change, replayed) => this.#apply(id, change, replayed));
    manager.on('stale', (id) => {
      this.#live.forget(id);
      this.emit('changed', id);
    });
  }

  /** `replayed`: a catch-up after an absence, which raises no notification. */
  #apply(id: string, change: AccountChange, replayed: boolean): void {
    if (change.kind === 'task-changed') return;
    const { view } = this.#manager.access(id);
    if (change.kind === 'message-new' && !replayed && change.message.author_id !== view.userId) {
      this.emit('message-new', id, change.dialogId, change.message);
    }
    const applied = this.#live.apply(id, change, { id: view.userId, name: view.userName });
    // Our own message's echo: the outbox entry it was sent from goes in the same change (the portal's answer may come later).
    const clientId = change.kind === 'message-new' ? change.message.uuid : null;
    if (applied.delta && clientId && this.#manager.cacheOf(id).outbox.get(clientId)) {
      const posted = [...(this.#live.dialog(id, applied.delta.dialogId)?.posted ?? []), clientId];
      applied.delta.pending = this.#pending(id, this.#manager.access(id), applied.delta.dialogId, posted);
    }
    this.#publish(id, applied, 'dialogId' in change ? change.dialogId : undefined);
  }

  #publish(id: string, applied: Applied, dialogId?: string): void {
    if (applied.delta) {
      this.#saves.mark(id, applied.delta.dialogId);
      this.emit('delta', id, applied.delta);
    }
    if (applied.reload) this.emit('changed', id, dialogId);
  }

  /** What a restart shows comes from disk: the kept list and the dialogs' pages that changed. */
  #saveKept(id: string, dialogs: ReadonlySet<string>): void {
    let cache: AccountAccess['cache'];
    try {
      cache = this.#manager.cacheOf(id);
    } catch {
      return; // Deleted meanwhile, its cache with it.
    }
    const list = this.#live.list(id);
    if (list) cache.put(CHATS_KEY, list.chats, list.at);
    for (const dialogId of dialogs) {
      const page = this.#live.dialog(id, dialogId);
      if (page) cache.put(messagesKey(dialogId), page.messages, this.#now());
    }
  }

  /** The dialog's outbox changed: windows showing it get it whole. */
  #outboxMoved(id: string, dialogId: string): void {
    this.emit('delta', id, {
      dialogId,
      pending: this.#pending(id, this.#manager.access(id), dialogId, this.#live.dialog(id, dialogId)?.posted ?? []),
    });
  }

  /** The chat as last listed, if it was (a notification's title). */
  savedChat(id: string, dialogId: string): ChatView | undefined {
    return this.#manager
      .cacheOf(id)
      .get<ChatView[]>(CHATS_KEY)
      ?.value.find((c) => c.dialogId === dialogId);
  }

  async list({ id }: { id: string }): Promise<ChatsView> {
    const account = this.#manager.access(id);
    // Kept while the link is live and the portal answers; once a request has failed, the portal is asked.
    const live = account.session && !account.view.problem && this.#manager.isLive(id) ? this.#live.list(id) : null;
    if (live) return { chats: live.chats, stale: false, fetchedAt: live.at };
    const cached = account.cache.get<ChatView[]>(CHATS_KEY);
    // Still connecting (just started, or coming back): the saved list at once, the fresh one follows.
    if (account.session && cached && !this.#manager.isLive(id)) {
      void this.#refreshList(id);
      return { chats: cached.value, stale: true, fetchedAt: cached.updatedAt, problem: { code: 'connecting' } };
    }
    let problem: PortalProblem | undefined;
    if (account.session) {
      try {
        return { chats: await this.#fetchList(account), stale: false, fetchedAt: this.#now() };
      } catch (error) {
        if (error instanceof RestCallError && isTransient(error)) this.#reloadSoon(id);
        else problem = account.reportProblem(error);
      }
    }
    // The list kept in step until the link went down is newer than the one saved on disk.
    const kept = this.#live.list(id);
    const saved = kept ? { chats: kept.chats, fetchedAt: kept.at } : { chats: cached?.value ?? [], fetchedAt: cached?.updatedAt ?? null };
    const why = savedCopyReason(account.view, problem);
    return { ...saved, stale: true, ...(why ? { problem: why } : {}) };
  }

  async #fetchList(account: AccountAccess): Promise<ChatView[]> {
    const session = account.session as NonNullable<AccountAccess['session']>;
    const mark = this.#live.mark(account.view.id);
    const answer = await session.call<ImRecentList>('im.recent.list', { LIMIT: IM_RECENT_MAX_LIMIT });
    const chats = answer.result.items.map((item) => toChatView(item, account.view.userId, account.view.userName));
    account.cache.put(CHATS_KEY, chats, this.#now());
    if (this.#manager.isLive(account.view.id)) this.#live.keepList(account.view.id, mark, chats, this.#now());
    account.reportSuccess();
    return chats;
  }

  async #refreshList(id: string): Promise<void> {
    try {
      const account = this.#manager.access(id);
      const before = JSON.stringify(account.cache.get(CHATS_KEY)?.value ?? null);
      if (JSON.stringify(await this.#fetchList(account)) !== before) this.emit('changed', id);
    } catch {
      // Still unreachable: the realtime link reconnecting brings the fresh list.
    }
  }

  /**
   * Rate-limited (the outbox may be using the account's request budget) or the portal is
   * restarting: the saved copy is shown for now and the windows reload shortly, not in a loop.
   */
  #reloadSoon(id: string): void {
    if (this.#closed || this.#reloadTimers.has(id)) return;
    const timer = setTimeout(() => {
      this.#reloadTimers.delete(id);
      if (!this.#closed) this.emit('changed', id);
    }, RELOAD_SOON_MS);
    timer.unref();
    this.#reloadTimers.set(id, timer);
  }

  /**
   * A page of the dialog's history, oldest first; `beforeId` pages back from the oldest shown. The
   * newest page comes with what still waits in the outbox, and from the saved copy when the portal
   * cannot be reached.
   */
  async messages({ id, dialogId, beforeId }: MessagesRequest): Promise<MessagesResult> {
    const account = this.#manager.access(id);
    const saved = () => {
      // The page kept in step until the link went down is newer than the one saved on disk.
      const kept = beforeId ? null : this.#live.dialog(id, dialogId);
      const cached = beforeId || kept ? null : account.cache.get<MessageView[]>(messagesKey(dialogId));
      if (kept) {
        return {
          ok: true as const,
          messages: kept.messages,
          hasOlder: kept.hasOlder,
          pending: this.#pending(id, account, dialogId, kept.posted),
          stale: true,
          fetchedAt: kept.at,
        };
      }
      return {
        ok: true as const,
        messages: cached?.value ?? [],
        hasOlder: false,
        pending: this.#pending(id, account, dialogId, []),
        stale: true,
        fetchedAt: cached?.updatedAt ?? null,
      };
    };
    if (!account.session) return saved();
    const live = !beforeId && !account.view.problem && this.#manager.isLive(id) ? this.#live.dialog(id, dialogId) : null;
    if (live) {
      return {
        ok: true,
        messages: live.messages,
        hasOlder: live.hasOlder,
        pending: this.#pending(id, account, dialogId, live.posted),
        stale: false,
        fetchedAt: live.at,
      };
    }
    const mark = this.#live.mark(id);
    try {
      const answer = await account.session.call<ImMessagesPage>('im.dialog.messages.get', {
        DIALOG_ID: dialogId,
        LIMIT: PAGE,
        ...(beforeId ? { LAST_ID: beforeId } : {}),
      });
      account.reportSuccess();
      const users = new Map(answer.result.users.map((u) => [u.id, userName(u)]));
      users.set(account.view.userId, account.view.userName);
      const messages = answer.result.messages.map((m) => toMessageView(m, users)).sort((a, b) => a.id - b.id);
      if (!beforeId) account.cache.put(messagesKey(dialogId), messages, this.#now());
      const posted = answer.result.messages.flatMap((m) => (m.uuid ? [m.uuid] : []));
      const hasOlder = answer.result.messages.length >= PAGE;
      if (!beforeId && this.#manager.isLive(id)) this.#live.keepDialog(id, mark, dialogId, { messages, hasOlder, posted, at: this.#now() });
      return {
        ok: true,
        messages,
        hasOlder,
        pending: beforeId ? [] : this.#pending(id, account, dialogId, posted),
        stale: false,
        fetchedAt: this.#now(),
      };
    } catch (error) {
      if (error instanceof RestCallError && !isTransient(error)) return { ok: false, error: error.code, message: error.message };
      if (error instanceof RestCallError) this.#reloadSoon(id);
      else account.reportProblem(error);
      return saved();
    }
  }

  /** The dialog's outbox as shown; `posted` are client ids the page already shows as messages. */
  #pending(id: string, account: AccountAccess, dialogId: string, posted: string[]): PendingMessageView[] {
    const online = account.session !== null && this.#manager.isLive(id);
    return account.cache.outbox
      .list(dialogId)
      .filter((entry) => !posted.includes(entry.clientId))
      .map((entry) => ({
        clientId: entry.clientId,
        dialogId: entry.dialogId,
        text: entry.text,
        date: new Date(entry.createdAt).toISOString(),
        status: entry.error ? 'failed' : this.#sending.get(id) === entry.clientId || online ? 'sending' : 'waiting',
        ...(entry.error ? { error: entry.error } : {}),
      }));
  }

  /**
   * Queues a message: saved to the account's outbox before this answers, then sent in order under
   * a client id chosen here, so a retry (after an outage or a crash) never posts it twice.
   */
  async send({ id, dialogId, text }: SendRequest): Promise<SendResult> {
    const problem = textProblem(text);
    if (problem) return problem;
    const account = this.#manager.access(id);
    if (account.view.state !== 'connected') {
      return { ok: false, error: 'not_connected', message: `${account.view.portalTitle} is not connected: connect it to send.` };
    }
    const entry = { clientId: randomUUID(), dialogId, text, createdAt: this.#now() };
    account.cache.outbox.add(entry);
    this.#outboxMoved(id, dialogId);
    this.#drain(id);
    const [pending] = this.#pending(id, account, dialogId, []).filter((p) => p.clientId === entry.clientId);
    return { ok: true, pending: pending as PendingMessageView };
  }

  /** A refused message goes back into the queue under its client id. */
  async retrySend({ id, clientId }: OutboxRef): Promise<ChatResult> {
    const outbox = this.#manager.access(id).cache.outbox;
    const entry = outbox.get(clientId);
    if (!entry) return { ok: false, error: 'not_found', message: 'That message is no longer waiting to be sent.' };
    outbox.setError(clientId, null);
    this.#outboxMoved(id, entry.dialogId);
    this.#drain(id);
    return { ok: true };
  }

  async discardSend({ id, clientId }: OutboxRef): Promise<ChatResult> {
    const outbox = this.#manager.access(id).cache.outbox;
    const entry = outbox.get(clientId);
    if (!entry) return { ok: false, error: 'not_found', message: 'That message is no longer waiting to be sent.' };
    if (this.#sending.get(id) === clientId) return { ok: false, error: 'sending', message: 'That message is being sent right now.' };
    outbox.remove(clientId);
    this.#outboxMoved(id, entry.dialogId);
    return { ok: true };
  }

  /** Sends the account's outbox, oldest first, one at a time (so a dialog keeps its order). */
  #drain(id: string): void {
    if (this.#closed) return;
    if (this.#sending.has(id)) {
      this.#again.add(id);
      return;
    }
    this.#sending.set(id, null);
    this.#sendAll(id)
      // The rows stay in the outbox: whatever broke this round, the next one sends them.
      .catch(() => this.#retryLater(id))
      .finally(() => {
        this.#sending.delete(id);
        if (this.#again.delete(id)) this.#drain(id);
      });
  }

  async #sendAll(id: string): Promise<void> {
    while (!this.#closed) {
      let account: AccountAccess;
      try {
        account = this.#manager.access(id);
      } catch {
        return; // The account was deleted, and its outbox with it.
      }
      const session = account.session;
      const entry = account.cache.outbox.next();
      // Not connected: the messages wait; connecting (the `live` event) sends them.
      if (!session || !entry) return;
      this.#sending.set(id, entry.clientId);
      try {
        const sent = await session.call<number>(
          'im.message.add',
          { DIALOG_ID: entry.dialogId, MESSAGE: entry.text, CLIENT_MESSAGE_ID: entry.clientId },
          // The message shows as pending already: a chat the user opens meanwhile goes first.
          { priority: 'background' },
        );
        account.cache.outbox.remove(entry.clientId);
        account.reportSuccess();
        this.#clearRetry(id);
        this.#sent(id, account, entry, Number(sent.result));
        continue;
      } catch (error) {
        if (this.#closed) return;
        if (error instanceof RestCallError && !isTransient(error)) {
          // Refused for good (not a member, too long…): kept, marked, and the rest go on.
          account.cache.outbox.setError(entry.clientId, { code: error.code, message: error.message });
        } else {
          if (!(error instanceof RestCallError)) account.reportProblem(error);
          // Not being sent any more: it waits for the next attempt.
          this.#sending.set(id, null);
          this.#outboxMoved(id, entry.dialogId);
          this.#retryLater(id);
          return;
        }
      }
      this.#outboxMoved(id, entry.dialogId);
    }
  }

  /** The portal took the message: shown at once as a message in place of its pending entry (its realtime echo replaces it). */
  #sent(id: string, account: AccountAccess, entry: { clientId: string; dialogId: string; text: string }, messageId: number): void {
    if (!Number.isInteger(messageId) || messageId <= 0) {
      this.emit('changed', id, entry.dialogId);
      return;
    }
    const message: MessageView = {
      id: messageId,
      authorId: account.view.userId,
      authorName: account.view.userName,
      date: new Date(this.#now()).toISOString(),
      text: entry.text,
      edited: false,
      deleted: false,
    };
    const applied = this.#live.applySent(id, entry.dialogId, message, entry.clientId);
    this.#saves.mark(id, entry.dialogId);
    const posted = this.#live.dialog(id, entry.dialogId)?.posted ?? [];
    this.emit('delta', id, { dialogId: entry.dialogId, ...applied.delta, pending: this.#pending(id, account, entry.dialogId, posted) });
    if (applied.reload) this.emit('changed', id, entry.dialogId);
  }

  /** Unreachable or rate-limited: try again after a capped, jittered wait (or sooner, when the link comes back). */
  #retryLater(id: string): void {
    if (this.#closed) return;
    const attempt = (this.#retryTimers.get(id)?.attempt ?? 0) + 1;
    clearTimeout(this.#retryTimers.get(id)?.timer);
    const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);
    const timer = setTimeout(() => this.#drain(id), ceiling / 2 + (Math.random() * ceiling) / 2);
    timer.unref();
    this.#retryTimers.set(id, { timer, attempt });
  }

  #clearRetry(id: string): void {
    clearTimeout(this.#retryTimers.get(id)?.timer);
    this.#retryTimers.delete(id);
  }

  editMessage({ id, messageId, text }: EditRequest): Promise<ChatResult> {
    const problem = textProblem(text);
    if (problem) return Promise.resolve(problem);
    return this.#call(id, async (session) => {
      await session.call('im.message.update', { MESSAGE_ID: messageId, MESSAGE: text });
      return { ok: true };
    });
  }

  deleteMessage({ id, messageId }: MessageRef): Promise<ChatResult> {
    return this.#call(id, async (session) => {
      await session.call('im.message.delete', { MESSAGE_ID: messageId });
      return { ok: true };
    });
  }

  read({ id, dialogId }: DialogRef): Promise<ReadResult> {
    return this.#call(id, async (session) => {
      const answer = await session.call<{ counter: number }>('im.dialog.read', { DIALOG_ID: dialogId });
      return { ok: true, unread: Number(answer.result.counter ?? 0) };
    });
  }

  close(): void {
    this.#saves.close();
    this.#closed = true;
    for (const timer of this.#reloadTimers.values()) clearTimeout(timer);
    for (const { timer } of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
  }

  /** A call of the portal for one account: a refusal comes back as its code and the portal's words, which the windows word. */
  async #call<T>(id: string, run: (session: NonNullable<AccountAccess['session']>) => Promise<T>): Promise<T | Failure> {
    const account = this.#manager.access(id);
    if (!account.session) return { ok: false, error: 'not_connected', message: `${account.view.portalTitle} is not connected.` };
    try {
      const result = await run(account.session);
      account.reportSuccess();
      return result;
    } catch (error) {
      if (error instanceof RestCallError) return { ok: false, error: error.code, message: error.message };
      return requestFailure(account.reportProblem(error));
    }
  }
}
