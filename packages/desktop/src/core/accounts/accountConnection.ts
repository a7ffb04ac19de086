import { EventEmitter } from 'node:events';
import type { AccountView, PullConfig } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { PortalSession, RestCallError } from '../portal/portalSession.ts';
import type { RestBudget } from '../portal/restBudget.ts';
import { ImEventPoller } from '../realtime/imEventPoller.ts';
import { PullClient } from '../realtime/pullClient.ts';
import { type AccountChange, accountChangeOf } from '../realtime/pullCommands.ts';
import type { AccountCache } from './accountCache.ts';
import type { TokenStore } from './tokenStore.ts';

/** Why `pull.config.get` may refuse a credential for good: an app's token, a webhook without the scope, a server without Pull. */
const PULL_REFUSALS = new Set(['WRONG_AUTH_TYPE', 'insufficient_scope', 'ERROR_METHOD_NOT_FOUND', 'ACCESS_DENIED']);

export interface AccountConnectionEvents {
  /** A change on the portal; `replayed`: caught up after an absence, not as it happened. */
  change: [change: AccountChange, replayed: boolean];
  /** Authenticated and caught up; `resumed` is false when what changed while away was not replayed. */
  live: [resumed: boolean];
  /** Polling saw the unread counters move without saying where (im.v2.Event has no counter event). */
  'counters-moved': [];
  /** The link went down, or changed from Pull to polling. */
  state: [];
}

/**
 * One connected account's link to its portal: the REST session and the realtime channel that
 * follows it — Push & Pull, or the documented im.v2.Event polling where the portal refuses this
 * credential Pull. Made on connect, closed on Disconnect, Delete or a lost sign-in; what it hears
 * goes out as events, which the account manager hands to the services that own the data.
 */
export class AccountConnection extends EventEmitter<AccountConnectionEvents> {
  readonly session: PortalSession;
  readonly #cache: AccountCache;
  #realtime: PullClient | null = null;
  #poller: ImEventPoller | null = null;

  constructor(options: {
    accountId: string;
    origin: string;
    tokens: TokenStore;
    dispatcher: Dispatcher;
    cache: AccountCache;
    budget: RestBudget;
    onAuthLost: () => void;
    now: () => number;
  }) {
    super();
    this.#cache = options.cache;
    const session = new PortalSession({
      origin: options.origin,
      accountId: options.accountId,
      tokens: options.tokens,
      dispatcher: options.dispatcher,
      now: options.now,
      onAuthLost: options.onAuthLost,
      budget: options.budget,
    });
    this.session = session;
    this.#realtime = new PullClient({
      origin: options.origin,
      cache: options.cache,
      fetchConfig: async () => (await session.call<PullConfig>('pull.config.get', { CACHE: 'N' }, { priority: 'background' })).result,
      isRefusal: (error) => error instanceof RestCallError && PULL_REFUSALS.has(error.code),
      onMessage: (body, replayed) => {
        const change = accountChangeOf(body);
        if (change) this.emit('change', change, replayed);
      },
      onLive: (resumed) => this.emit('live', resumed),
      onDown: () => this.emit('state'),
      onRefused: () => this.#startPolling(),
      now: options.now,
    });
  }

  /** Starts the realtime link; call once the listeners are on. */
  start(): void {
    this.#realtime?.start();
  }

  /** Events arrive as they happen, over Pull or polling. */
  get live(): boolean {
    return (this.#realtime?.live ?? false) || (this.#poller?.live ?? false);
  }

  /** `problem`: a request has already failed to reach the portal, so this is a reconnection. */
  state(problem: boolean): NonNullable<AccountView['connection']> {
    if (this.#realtime?.live) return 'live';
    if (this.#poller?.live) return 'polling';
    return this.#realtime?.everLive || this.#poller || problem ? 'reconnecting' : 'connecting';
  }

  /** A request just reached the portal: a link waiting out a backoff tries again now. */
  nudge(): void {
    this.#realtime?.nudge();
    this.#poller?.nudge();
  }

  /** Push & Pull is closed to this credential: the documented im.v2.Event polling instead. */
  #startPolling(): void {
    this.#realtime = null;
    this.#poller = new ImEventPoller({
      cache: this.#cache,
      call: (method, params) => this.session.call(method, params, { priority: 'background' }),
      onChange: (change) => this.emit('change', change, false),
      onCountersMoved: () => this.emit('counters-moved'),
      // Polling resumes from its saved event id: nothing was missed.
      onLive: () => this.emit('live', true),
      onDown: () => this.emit('state'),
    });
    this.#poller.start();
    this.emit('state');
  }

  close(): void {
    this.#realtime?.stop();
    this.#realtime = null;
    this.#poller?.stop();
    this.#poller = null;
    this.session.close();
    this.removeAllListeners();
  }
}
