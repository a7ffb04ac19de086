import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AccountKind, AccountView, PortalProblem } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { AuthLostError, type PortalSession, SessionClosedError } from '../portal/portalSession.ts';
import { RestBudgets } from '../portal/restBudget.ts';
import type { Profile } from '../profile.ts';
import type { AccountChange } from '../realtime/pullCommands.ts';
import { AccountCache } from './accountCache.ts';
import { AccountConnection } from './accountConnection.ts';
import { portalProblemOf } from './accountProblems.ts';
import type { AccountRegistry, StoredAccount } from './accountRegistry.ts';
import type { StoredCredential } from './credentials.ts';
import type { TokenStore } from './tokenStore.ts';

interface Account {
  stored: StoredAccount;
  connection: AccountConnection | null;
  cache: AccountCache | null;
  problem?: PortalProblem;
}

export interface AccountAccess {
  view: AccountView;
  session: PortalSession | null;
  cache: AccountCache;
  /** Records a failed request on the account; returns the problem shown, if any. */
  reportProblem(error: unknown): PortalProblem | undefined;
  /** A request went through: a problem shown on the account is over. */
  reportSuccess(): void;
}

/** What a new (or renewed) account brings, whatever the way in. */
export interface NewAccount {
  origin: string;
  kind: AccountKind;
  credential: StoredCredential;
  portalTitle: string;
  userId: number;
  login: string;
  userName: string;
  missingScopes?: string[];
}

export interface AccountManagerEvents {
  /** The list, an account's state, connection or problem changed. */
  changed: [];
  /** The account's realtime link is authenticated and caught up; `resumed` is false when what changed while away was not replayed. */
  live: [accountId: string, resumed: boolean];
  /** A change on the portal, over Pull or polling; `replayed`: caught up after an absence, not as it happened. */
  realtime: [accountId: string, change: AccountChange, replayed: boolean];
  /** Polling saw the unread counters move without saying where. */
  'counters-moved': [accountId: string];
  /** What the windows show of the account may be out of date (signed in again, or the portal answers again after a problem). */
  stale: [accountId: string];
}

/**
 * The one owner of the account list: its order, each account's state (connected, disconnected,
 * needs_login), its connection to the portal while connected, and the problem shown on it. What
 * an account holds (home, chats, unread counts, tasks) is owned by the service for it, which
 * listens to these events; secrets are the TokenStore's.
 */
export class AccountManager extends EventEmitter<AccountManagerEvents> {
  readonly #accounts = new Map<string, Account>();
  #order: string[] = [];
  /** The sign-in being added now; the next waits for it (see `add`). */
  #adding: Promise<unknown> = Promise.resolve();
  readonly #profile: Profile;
  readonly #registry: AccountRegistry;
  readonly #tokens: TokenStore;
  readonly #dispatcher: Dispatcher;
  readonly #now: () => number;
  /** Bitrix24 limits requests per portal: every account on one address shares one budget. */
  readonly #budgets: RestBudgets;
  /** Runs when an account is added or signed in again, before `add` answers (the home service fetches the profile). */
  readonly #welcome: (accountId: string) => Promise<void>;
  /** The account's unread messages, as the unread counters (their owner) have them. */
  readonly #unreadOf: (accountId: string) => number;

  constructor(options: {
    profile: Profile;
    registry: AccountRegistry;
    tokens: TokenStore;
    dispatcher: Dispatcher;
    welcome?: (accountId: string) => Promise<void>;
    unreadOf?: (accountId: string) => number;
    now?: () => number;
  }) {
    super();
    this.#profile = options.profile;
    this.#registry = options.registry;
    this.#tokens = options.tokens;
    this.#dispatcher = options.dispatcher;
    this.#welcome = options.welcome ?? (async () => {});
    this.#unreadOf = options.unreadOf ?? (() => 0);
    this.#now = options.now ?? Date.now;
    this.#budgets = new RestBudgets({ now: this.#now });
  }

  /**
   * Loads the saved list; an account whose secrets are gone (memory vault, wiped keychain) needs a
   * sign-in. The connected ones go online with `goOnline()`.
   */
  async load(): Promise<void> {
    for (const stored of await this.#registry.load()) {
      const account: Account = { stored, connection: null, cache: null };
      if (stored.state === 'connected' && !(await this.#tokens.has(stored.id))) stored.state = 'needs_login';
      this.#accounts.set(stored.id, account);
      this.#order.push(stored.id);
    }
    await this.#save();
  }

  /**
   * Starts the realtime link of every connected account that has none. Apart from `load`, so that
   * the app can start its browser first: in a profile of a start with ten accounts, their going
   * online kept the core's CPU busy for about 150 ms, and the windows were launched only after.
   */
  goOnline(): void {
    for (const account of this.#accounts.values()) {
      if (account.stored.state === 'connected' && !account.connection) this.#open(account);
    }
  }

  list(): AccountView[] {
    return this.#order.map((id) => this.#view(this.#accounts.get(id) as Account));
  }

  #view(account: Account): AccountView {
    const { stored } = account;
    return {
      id: stored.id,
      portalUrl: stored.portalUrl,
      portalTitle: stored.portalTitle,
      userId: stored.userId,
      userName: stored.userName,
      login: stored.login,
      kind: stored.kind ?? 'sign-in',
      state: stored.state,
      ...(stored.state === 'connected' && account.connection
        ? { connection: account.connection.state(account.problem !== undefined) }
        : {}),
      ...(stored.missingScopes?.length ? { missingScopes: stored.missingScopes } : {}),
      unread: this.#unreadOf(stored.id),
      ...(account.problem ? { problem: account.problem } : {}),
    };
  }

  /** The account's own cache (its saved lists, counters and outbox), opened on first use. */
  cacheOf(id: string): AccountCache {
    return this.#cache(this.#require(id));
  }

  /** The account's realtime link is authenticated and caught up (see the `live` event). */
  isLive(id: string): boolean {
    return this.#require(id).connection?.live ?? false;
  }

  /** True when this computer has that user of that portal connected (the network list's mark). */
  isConnected(origin: string, who: { login?: string; userName?: string }): boolean {
    return [...this.#accounts.values()].some(
      (a) =>
        a.stored.portalUrl === origin &&
        a.stored.state === 'connected' &&
        ((who.login !== undefined && a.stored.login.toLowerCase() === who.login.toLowerCase()) ||
          (who.userName !== undefined && a.stored.userName === who.userName)),
    );
  }

  /**
   * Adds an account whose credential was just checked, or renews it: the same user of the same
   * portal, the same way in (after needs_login, or twice) keeps the account, its cache and its
   * place; another user, or another way in, is another account.
   */
  add(entry: NewAccount): Promise<{ ok: true; account: AccountView }> {
    // One at a time: two sign-ins of the same user ending together (two windows) must find each
    // other, not both make an account while the first one's secret is still being saved.
    const added = this.#adding.then(() => this.#add(entry));
    this.#adding = added.catch(() => undefined);
    return added;
  }

  async #add(entry: NewAccount): Promise<{ ok: true; account: AccountView }> {
    let account = [...this.#accounts.values()].find(
      (a) => a.stored.portalUrl === entry.origin && a.stored.userId === entry.userId && (a.stored.kind ?? 'sign-in') === entry.kind,
    );
    const again = account !== undefined;
    if (account) {
      this.#close(account);
      await this.#tokens.replace(account.stored.id, account.stored.portalUrl, entry.credential);
      account.stored.state = 'connected';
      account.stored.portalTitle = entry.portalTitle;
      account.stored.missingScopes = entry.missingScopes?.length ? entry.missingScopes : undefined;
      account.problem = undefined;
    } else {
      const id = randomUUID();
      await this.#tokens.save(id, entry.credential);
      account = {
        stored: {
          id,
          portalUrl: entry.origin,
          portalTitle: entry.portalTitle,
          userId: entry.userId,
          userName: entry.userName,
          login: entry.login,
          kind: entry.kind,
          state: 'connected',
          addedAt: this.#now(),
          ...(entry.missingScopes?.length ? { missingScopes: entry.missingScopes } : {}),
        },
        connection: null,
        cache: null,
      };
      this.#accounts.set(id, account);
      this.#order.push(id);
    }
    this.#open(account);
    await this.#save();
    await this.#welcome(account.stored.id);
    // Lists shown from the cache while the account needed a sign-in are live again: reload them.
    if (again) this.emit('stale', account.stored.id);
    return { ok: true, account: this.#view(account) };
  }

  /** The user's name and login as the portal's profile gives them (a sign-in by QR code knows neither). */
  async rename(id: string, who: { login: string; userName: string }): Promise<void> {
    const { stored } = this.#require(id);
    if (stored.login === who.login && stored.userName === who.userName) return;
    stored.login = who.login;
    stored.userName = who.userName;
    await this.#save();
  }

  async connect(id: string): Promise<void> {
    const account = this.#require(id);
    if (account.stored.state === 'connected') return;
    account.stored.state = (await this.#tokens.has(id)) ? 'connected' : 'needs_login';
    if (account.stored.state === 'connected') this.#open(account);
    await this.#save();
  }

  /** Closes the account's session: in-flight requests are aborted and nothing more is sent. */
  async disconnect(id: string): Promise<void> {
    const account = this.#require(id);
    this.#close(account);
    account.stored.state = 'disconnected';
    account.problem = undefined;
    await this.#save();
  }

  /** Revokes the sign-in on the server (queued if it is down), then removes secrets, cache and the entry. */
  async remove(id: string): Promise<void> {
    const account = this.#require(id);
    this.#close(account);
    await this.#tokens.forget(id, account.stored.portalUrl);
    account.cache?.close();
    AccountCache.destroy(this.#profile.cacheDir(id));
    this.#accounts.delete(id);
    this.#order = this.#order.filter((other) => other !== id);
    await this.#save();
  }

  /**
   * What a service working inside one account needs: the account as the UI sees it, its REST
   * session when connected, its cache, and a way to report how its requests went.
   */
  access(id: string): AccountAccess {
    const account = this.#require(id);
    return {
      view: this.#view(account),
      session: account.stored.state === 'connected' ? (account.connection?.session ?? null) : null,
      cache: this.#cache(account),
      reportProblem: (error: unknown) => this.#reportProblem(account, error),
      reportSuccess: () => {
        account.connection?.nudge();
        this.#clearProblem(account);
      },
    };
  }

  /** `access` for an account that may have been removed meanwhile (a retry's timer): undefined then. */
  find(id: string): AccountAccess | undefined {
    return this.#accounts.has(id) ? this.access(id) : undefined;
  }

  /** The portal answers again: the account's notice goes, and what was shown as stale until now is reloaded. */
  #clearProblem(account: Account): void {
    if (account.problem === undefined) return;
    account.problem = undefined;
    this.emit('changed');
    this.emit('stale', account.stored.id);
  }

  /** Network trouble is shown on the account and never signs it out; auth loss is handled by the session. */
  #reportProblem(account: Account, error: unknown): PortalProblem | undefined {
    if (error instanceof AuthLostError || error instanceof SessionClosedError) return undefined;
    account.problem = portalProblemOf(error);
    this.emit('changed');
    return account.problem;
  }

  #open(account: Account): void {
    const id = account.stored.id;
    const connection = new AccountConnection({
      accountId: id,
      origin: account.stored.portalUrl,
      tokens: this.#tokens,
      dispatcher: this.#dispatcher,
      cache: this.#cache(account),
      budget: this.#budgets.of(account.stored.portalUrl),
      onAuthLost: () => void this.#authLost(account),
      now: this.#now,
    });
    connection.on('change', (change, replayed) => this.emit('realtime', id, change, replayed));
    connection.on('live', (resumed) => {
      this.emit('changed');
      this.emit('live', id, resumed);
      // Nothing to resume from: what changed while away was not replayed, so reload it.
      if (!resumed) this.emit('stale', id);
    });
    connection.on('counters-moved', () => this.emit('counters-moved', id));
    connection.on('state', () => this.emit('changed'));
    account.connection = connection;
    connection.start();
  }

  async #authLost(account: Account): Promise<void> {
    this.#close(account);
    account.stored.state = 'needs_login';
    account.problem = undefined;
    await this.#save();
  }

  #close(account: Account): void {
    account.connection?.close();
    account.connection = null;
  }

  #cache(account: Account): AccountCache {
    account.cache ??= AccountCache.open(this.#profile.cacheDir(account.stored.id));
    return account.cache;
  }

  #require(id: string): Account {
    const account = this.#accounts.get(id);
    if (!account) throw new UnknownAccountError(id);
    return account;
  }

  async #save(): Promise<void> {
    await this.#registry.save(this.#order.map((id) => (this.#accounts.get(id) as Account).stored));
    this.emit('changed');
  }

  close(): void {
    for (const account of this.#accounts.values()) {
      this.#close(account);
      account.cache?.close();
    }
  }
}

export class UnknownAccountError extends Error {
  constructor(id: string) {
    super(`no account with id ${id}`);
  }
}
