import { EventEmitter } from 'node:events';
import type { ImCounters } from '@multidesk/protocol';
import type { AccountManager } from '../accounts/accountManager.ts';
import { DeferredSaves } from '../accounts/deferredSaves.ts';

/** Kept in the account's cache, so a restart shows the counts at once. */
const UNREAD_KEY = 'unread:by-chat';
/** Counts move with every message: they are written once a burst is over (a restart asks the portal again anyway). */
const SAVE_DELAY_MS = 1_000;
/**
 * A refresh that could not be made (no session yet) or failed (the portal busy or away for a
 * moment) is made again after this, doubling up to `RETRY_MAX_MS`, while the account stays
 * connected: without it the counts stayed wrong until the next reconnection.
 */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

function unreadOf(counters: ImCounters): Map<string, number> {
  return new Map([
    ...Object.entries(counters.CHAT).map(([chatId, n]) => [`chat${chatId}`, n] as const),
    ...Object.entries(counters.DIALOG),
  ]);
}

const sum = (unread: ReadonlyMap<string, number>) => [...unread.values()].reduce((total, n) => total + n, 0);

/**
 * The one owner of unread counts: per account, per chat (`chat12`, or a user id for a private
 * dialog). They follow the counters realtime events carry, and are asked again from the portal
 * (`im.counters.get`) whenever the account's link comes back, since they may have moved meanwhile.
 */
export class UnreadCounters extends EventEmitter<{ changed: [accountId: string] }> {
  readonly #manager: AccountManager;
  readonly #now: () => number;
  readonly #byAccount = new Map<string, Map<string, number>>();
  readonly #saves = new DeferredSaves(SAVE_DELAY_MS, (id) => this.#save(id));
  readonly #retries = new Map<string, NodeJS.Timeout>();

  constructor(manager: AccountManager, now: () => number = Date.now) {
    super();
    this.#manager = manager;
    this.#now = now;
    manager.on('realtime', (id, change) => {
      if ((change.kind === 'message-new' || change.kind === 'chat-changed') && change.counter !== undefined) {
        this.#setOne(id, change.dialogId, change.counter);
      }
    });
    manager.on('live', (id) => void this.#refresh(id));
    manager.on('counters-moved', (id) => void this.#refresh(id));
  }

  /** The account's unread messages, across its chats. */
  total(id: string): number {
    return sum(this.#of(id));
  }

  #of(id: string): Map<string, number> {
    let unread = this.#byAccount.get(id);
    if (!unread) {
      unread = new Map(Object.entries(this.#manager.cacheOf(id).get<Record<string, number>>(UNREAD_KEY)?.value ?? {}));
      this.#byAccount.set(id, unread);
    }
    return unread;
  }

  async #refresh(id: string, retryIn = RETRY_FIRST_MS): Promise<void> {
    clearTimeout(this.#retries.get(id));
    this.#retries.delete(id);
    const account = this.#manager.find(id);
    if (!account) return;
    const session = account.session;
    if (!session) {
      this.#retryLater(id, retryIn);
      return;
    }
    try {
      const answer = await session.call<ImCounters>('im.counters.get', {}, { priority: 'background' });
      this.#store(id, unreadOf(answer.result));
    } catch (error) {
      if (session.closed) return;
      account.reportProblem(error);
      this.#retryLater(id, retryIn);
    }
  }

  #retryLater(id: string, delay: number): void {
    // Disconnected or signed out: the next connection asks again.
    if (this.#manager.find(id)?.view.state !== 'connected') return;
    const timer = setTimeout(() => void this.#refresh(id, Math.min(delay * 2, RETRY_MAX_MS)), delay);
    timer.unref();
    this.#retries.set(id, timer);
  }

  #setOne(id: string, dialogId: string, counter: number): void {
    const unread = this.#of(id);
    if ((unread.get(dialogId) ?? 0) === counter) return;
    this.#store(id, new Map(unread).set(dialogId, counter));
  }

  #store(id: string, unread: Map<string, number>): void {
    for (const [key, n] of unread) if (n === 0) unread.delete(key);
    const before = this.total(id);
    this.#byAccount.set(id, unread);
    this.#saves.mark(id, UNREAD_KEY);
    if (sum(unread) !== before) this.emit('changed', id);
  }

  #save(id: string): void {
    const unread = this.#byAccount.get(id);
    if (!unread) return;
    try {
      this.#manager.cacheOf(id).put(UNREAD_KEY, Object.fromEntries(unread), this.#now());
    } catch {
      // Deleted meanwhile, its cache with it.
    }
  }

  /** Saves the counts not yet written (the app is closing). */
  close(): void {
    for (const timer of this.#retries.values()) clearTimeout(timer);
    this.#retries.clear();
    this.#saves.close();
  }
}
