import { type ImV2Event, ImV2EventPage, matches } from '@multidesk/protocol';
import type { AccountCache } from '../accounts/accountCache.ts';
import type { RestResult } from '../portal/portalSession.ts';
import type { AccountChange } from './pullCommands.ts';

const OFFSET_KEY = 'im-v2:offset';
/** Bitrix24 suggests 5–30 s when idle; 5 s spends 0.2 of the portal's 2 requests a second. */
const POLL_INTERVAL_MS = 5_000;
const PAGE_LIMIT = 100;
const RETRY_CAP_MS = 60_000;

export interface ImEventPollerOptions {
  cache: AccountCache;
  /** A REST call of the account (its session). */
  call<T>(method: string, params?: Record<string, unknown>): Promise<RestResult<T>>;
  /** One event as the windows see it, in order; `null` changes are skipped. */
  onChange(change: AccountChange): void;
  /** A page brought message events: the unread counters moved (im.v2 events carry none). */
  onCountersMoved(): void;
  onLive(): void;
  onDown(): void;
  intervalMs?: number;
}

/** What an `ONIMV2*` event means for the windows. */
export function changeOfImV2Event(event: ImV2Event): AccountChange | null {
  const dialogId = event.data.chat?.dialogId ?? event.data.dialogId;
  switch (event.type) {
    case 'ONIMV2MESSAGEADD': {
      const message = event.data.message;
      if (!message || !dialogId) return null;
      const flags = message.params && typeof message.params === 'object' && !Array.isArray(message.params) ? message.params : {};
      const edited = (flags as Record<string, unknown>).IS_EDITED === 'Y';
      return {
        kind: 'message-new',
        dialogId,
        message: {
          id: message.id,
          chat_id: message.chatId,
          author_id: message.authorId,
          date: message.date,
          text: message.text,
          params: edited ? { IS_EDITED: 'Y' } : null,
          uuid: message.uuid ? message.uuid : null,
        },
      };
    }
    case 'ONIMV2MESSAGEUPDATE':
    case 'ONIMV2MESSAGEDELETE':
    case 'ONIMV2REACTIONCHANGE':
      return dialogId ? { kind: 'chat-changed', dialogId } : null;
    case 'ONIMV2JOINCHAT':
      return { kind: 'chat-list-changed' };
    default:
      return null;
  }
}

/**
 * The documented way to hear of messages where Push & Pull is closed (an OAuth app's token, a
 * webhook without `pull_channel`): `im.v2.Event.subscribe`, then `im.v2.Event.get` every few
 * seconds, confirming what was read by passing its `nextOffset`. The offset is kept in the cache,
 * so a restart neither loses nor repeats a page.
 */
export class ImEventPoller {
  readonly #options: ImEventPollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #live = false;
  #failures = 0;
  #subscribed = false;

  constructor(options: ImEventPollerOptions) {
    this.#options = options;
  }

  get live(): boolean {
    return this.#live;
  }

  start(): void {
    this.#stopped = false;
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    this.#live = false;
    clearTimeout(this.#timer);
  }

  /** The portal answered a REST call: a poll waiting out a failure goes now. */
  nudge(): void {
    if (this.#stopped || this.#failures === 0) return;
    clearTimeout(this.#timer);
    this.#failures = 0;
    void this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let again = false;
    try {
      if (!this.#subscribed) {
        await this.#options.call('im.v2.Event.subscribe');
        this.#subscribed = true;
      }
      again = await this.#page();
      this.#failures = 0;
      if (!this.#live) {
        this.#live = true;
        this.#options.onLive();
      }
    } catch {
      // Auth loss is reported by the session; anything else is retried with a growing wait.
      this.#failures += 1;
      if (this.#live) {
        this.#live = false;
        this.#options.onDown();
      }
    }
    if (this.#stopped) return;
    const interval = this.#options.intervalMs ?? POLL_INTERVAL_MS;
    const wait = again ? 0 : this.#failures === 0 ? interval : Math.min(RETRY_CAP_MS, interval * 2 ** this.#failures);
    this.#timer = setTimeout(() => void this.#tick(), wait);
    this.#timer.unref();
  }

  /** Reads one page; true when more are waiting. */
  async #page(): Promise<boolean> {
    const offset = this.#options.cache.get<number>(OFFSET_KEY)?.value;
    const answer = await this.#options.call<unknown>('im.v2.Event.get', {
      limit: PAGE_LIMIT,
      ...(offset !== undefined ? { offset } : {}),
    });
    if (!matches(ImV2EventPage, answer.result)) throw new Error('im.v2.Event.get answered in an unknown shape');
    const page = answer.result;
    if (this.#stopped) return false;
    let messages = false;
    for (const event of page.events) {
      const change = changeOfImV2Event(event);
      if (!change) continue;
      messages ||= change.kind === 'message-new' || event.type === 'ONIMV2MESSAGEDELETE';
      this.#options.onChange(change);
    }
    this.#options.cache.put(OFFSET_KEY, page.nextOffset, Date.now());
    if (messages) this.#options.onCountersMoved();
    return page.hasMore;
  }
}
