import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  AccountKind,
  AccountView,
  HomeView,
  ImCounters,
  ImMessage,
  Person,
  PullConfig,
  SignInRequest,
  SignInResult,
  VaultInfo,
} from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { exchangeCode, passwordSignIn, type SignInOutcome } from '../portal/passwordSignIn.ts';
import { INVALID_PORTAL_ADDRESS, normalizePortalAddress } from '../portal/portalAddress.ts';
import { PortalUnreachableError } from '../portal/portalHttp.ts';
import { AuthLostError, PortalSession, RestCallError, SessionClosedError } from '../portal/portalSession.ts';
import { RestBudgets } from '../portal/restBudget.ts';
import type { Profile } from '../profile.ts';
import { ImEventPoller } from '../realtime/imEventPoller.ts';
import { PullClient } from '../realtime/pullClient.ts';
import { type AccountChange, accountChangeOf } from '../realtime/pullCommands.ts';
import type { SecretVault } from '../vault/secretVault.ts';
import { AccountCache } from './accountCache.ts';
import type { AccountRegistry, StoredAccount } from './accountRegistry.ts';
import { refreshTokenOf, type StoredCredential, serializeCredential, tokensFromResponse } from './credentials.ts';
import type { RevocationQueue } from './revocationQueue.ts';
import { checkWebhook } from './webhookSignIn.ts';

interface Account {
  stored: StoredAccount;
  /** Unread messages per chat (`chat12`, or a user id for a private dialog), kept in the cache so a restart shows them at once. */
  unread: Map<string, number>;
  session: PortalSession | null;
  realtime: PullClient | null;
  /** im.v2.Event polling, where the portal refuses this credential Push & Pull. */
  poller: ImEventPoller | null;
  cache: AccountCache | null;
  problem?: string;
}

export interface AccountAccess {
  view: AccountView;
  session: PortalSession | null;
  cache: AccountCache;
  people(): Person[];
  /** Records a failed request on the account; returns the problem shown, if any. */
  reportProblem(error: unknown): string | undefined;
  /** A request went through: a problem shown on the account is over. */
  reportSuccess(): void;
}

interface BitrixUser {
  ID: string | number;
  NAME?: string;
  LAST_NAME?: string;
  EMAIL?: string;
  WORK_POSITION?: string;
  PERSONAL_PHOTO?: string | null;
}

function toPerson(user: BitrixUser): Person {
  return {
    id: Number(user.ID),
    name: user.NAME ?? '',
    lastName: user.LAST_NAME ?? '',
    email: user.EMAIL ?? '',
    position: user.WORK_POSITION ?? '',
    photo: user.PERSONAL_PHOTO ?? '',
  };
}

/** Not live, and either it was live once or a request has already failed to reach the portal: reconnecting. */
function connectionOf(account: Account): NonNullable<AccountView['connection']> {
  if (account.realtime?.live) return 'live';
  if (account.poller?.live) return 'polling';
  return account.realtime?.everLive || account.poller || account.problem !== undefined ? 'reconnecting' : 'connecting';
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

const HOME_KEY = 'home';
const UNREAD_KEY = 'unread:by-chat';
/** Why `pull.config.get` may refuse a credential for good: an app's token, a webhook without the scope, a server without Pull. */
const PULL_REFUSALS = new Set(['WRONG_AUTH_TYPE', 'insufficient_scope', 'ERROR_METHOD_NOT_FOUND', 'ACCESS_DENIED']);

function unreadOf(counters: ImCounters): Map<string, number> {
  return new Map([
    ...Object.entries(counters.CHAT).map(([chatId, n]) => [`chat${chatId}`, n] as const),
    ...Object.entries(counters.DIALOG),
  ]);
}

const total = (unread: ReadonlyMap<string, number>) => [...unread.values()].reduce((sum, n) => sum + n, 0);
/** People shown on an account's home: enough for the demo and small teams, bounded for large ones. */
const MAX_PEOPLE = 500;

export interface AccountManagerEvents {
  changed: [];
  'home-changed': [accountId: string];
  'tasks-changed': [accountId: string];
  /** A chat of the account changed on the server (a message came, changed or went, or was read). */
  'chats-changed': [accountId: string, dialogId?: string];
  /** The account's realtime connection is authenticated and caught up. */
  live: [accountId: string];
  /** Someone else's message arrived as it happened (not replayed after an absence). */
  'message-new': [accountId: string, dialogId: string, message: ImMessage];
}

/**
 * The one owner of accounts: their order, their states (connected, disconnected, needs_login),
 * their REST sessions and caches. Windows and the bridge react to its events.
 */
export class AccountManager extends EventEmitter<AccountManagerEvents> {
  readonly #accounts = new Map<string, Account>();
  #order: string[] = [];
  readonly #profile: Profile;
  readonly #registry: AccountRegistry;
  readonly #vault: SecretVault;
  readonly #dispatcher: Dispatcher;
  readonly #revocations: RevocationQueue;
  readonly #deviceName: string;
  readonly #now: () => number;
  /** Bitrix24 limits requests per portal: every account on one address shares one budget. */
  readonly #budgets: RestBudgets;

  constructor(options: {
    profile: Profile;
    registry: AccountRegistry;
    vault: SecretVault;
    dispatcher: Dispatcher;
    revocations: RevocationQueue;
    deviceName: string;
    now?: () => number;
  }) {
    super();
    this.#profile = options.profile;
    this.#registry = options.registry;
    this.#vault = options.vault;
    this.#dispatcher = options.dispatcher;
    this.#revocations = options.revocations;
    this.#deviceName = options.deviceName;
    this.#now = options.now ?? Date.now;
    this.#budgets = new RestBudgets({ now: this.#now });
  }

  get vaultInfo(): VaultInfo {
    return this.#vault.info;
  }

  /** Loads the saved list; an account whose secrets are gone (memory vault, wiped keychain) needs a sign-in. */
  async load(): Promise<void> {
    for (const stored of await this.#registry.load()) {
      const account: Account = { stored, unread: new Map(), session: null, realtime: null, poller: null, cache: null };
      account.unread = new Map(Object.entries(this.#cache(account).get<Record<string, number>>(UNREAD_KEY)?.value ?? {}));
      if (stored.state === 'connected' && (await this.#vault.get(stored.id)) === null) stored.state = 'needs_login';
      this.#accounts.set(stored.id, account);
      this.#order.push(stored.id);
      if (stored.state === 'connected') this.#open(account);
    }
    await this.#save();
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
      ...(stored.state === 'connected' ? { connection: connectionOf(account) } : {}),
      ...(stored.missingScopes?.length ? { missingScopes: stored.missingScopes } : {}),
      unread: total(account.unread),
      ...(account.problem ? { problem: account.problem } : {}),
    };
  }

  async signIn(request: SignInRequest): Promise<SignInResult> {
    const address = normalizePortalAddress(request.address);
    if (!address.ok) return INVALID_PORTAL_ADDRESS;
    const outcome = await passwordSignIn(this.#dispatcher, address.origin, {
      login: request.login.trim(),
      password: request.password,
      otp: request.otp?.trim(),
      deviceName: this.#deviceName,
    });
    if (!outcome.ok) return outcome;
    return this.#adopt(address.origin, outcome, { login: request.login.trim() });
  }

  /** Connect with a webhook: the pasted URL is checked against its portal, then kept as the account's credential. */
  async connectWebhook(url: string): Promise<SignInResult> {
    const checked = await checkWebhook(this.#dispatcher, url);
    return checked.ok ? this.add(checked.account) : checked;
  }

  /** Ends a sign-in that produced an authorization code elsewhere (network list, QR approval). */
  async signInWithCode(
    origin: string,
    code: string,
    verifier: string,
    portalTitle: string,
    who: { login: string; userName?: string },
  ): Promise<SignInResult> {
    let outcome: SignInOutcome;
    try {
      outcome = await exchangeCode(this.#dispatcher, origin, code, verifier, portalTitle);
    } catch (error) {
      if (error instanceof PortalUnreachableError) return { ok: false, error: 'unreachable', message: `${origin} cannot be reached.` };
      throw error;
    }
    if (!outcome.ok) return outcome;
    return this.#adopt(origin, outcome, who);
  }

  /** The account's realtime connection is authenticated and caught up (see the `live` event). */
  isLive(id: string): boolean {
    return this.#require(id).realtime?.live ?? false;
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

  #adopt(origin: string, outcome: Extract<SignInOutcome, { ok: true }>, who: { login: string; userName?: string }): Promise<SignInResult> {
    return this.add({
      origin,
      kind: 'sign-in',
      credential: tokensFromResponse(outcome.tokens, this.#now()),
      portalTitle: outcome.portalTitle,
      userId: outcome.tokens.user_id,
      login: who.login,
      userName: who.userName || who.login,
    });
  }

  /**
   * Adds an account whose credential was just checked, or renews it: the same user of the same
   * portal, the same way in (after needs_login, or twice) keeps the account, its cache and its
   * place; another user, or another way in, is another account.
   */
  async add(entry: NewAccount): Promise<SignInResult> {
    let account = [...this.#accounts.values()].find(
      (a) => a.stored.portalUrl === entry.origin && a.stored.userId === entry.userId && (a.stored.kind ?? 'sign-in') === entry.kind,
    );
    const again = account !== undefined;
    if (account) {
      this.#close(account);
      await this.#replaceCredential(account, entry.credential);
      account.stored.state = 'connected';
      account.stored.portalTitle = entry.portalTitle;
      account.stored.missingScopes = entry.missingScopes?.length ? entry.missingScopes : undefined;
      account.problem = undefined;
    } else {
      const id = randomUUID();
      await this.#vault.set(id, serializeCredential(entry.credential));
      account = {
        unread: new Map(),
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
        session: null,
        realtime: null,
        poller: null,
        cache: null,
      };
      this.#accounts.set(id, account);
      this.#order.push(id);
    }
    this.#open(account);
    await this.#save();
    await this.#refreshHome(account);
    if (again) {
      // Lists shown from the cache while the account needed a sign-in are live again: reload them.
      this.emit('tasks-changed', account.stored.id);
      this.emit('chats-changed', account.stored.id);
    }
    return { ok: true, account: this.#view(account) };
  }

  /** A second sign-in to the same account: the new credential replaces the old, whose refresh token is revoked. */
  async #replaceCredential(account: Account, credential: StoredCredential): Promise<void> {
    const old = refreshTokenOf(await this.#vault.get(account.stored.id));
    await this.#vault.set(account.stored.id, serializeCredential(credential));
    if (old) void this.#revocations.revoke(account.stored.portalUrl, old, `${account.stored.id}-${this.#now()}`);
  }

  async connect(id: string): Promise<void> {
    const account = this.#require(id);
    if (account.stored.state === 'connected') return;
    account.stored.state = (await this.#vault.get(id)) === null ? 'needs_login' : 'connected';
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
    // A webhook has nothing to revoke from outside: the user deletes it in Bitrix24.
    const refreshToken = refreshTokenOf(await this.#vault.get(id));
    if (refreshToken) await this.#revocations.revoke(account.stored.portalUrl, refreshToken, id);
    await this.#vault.delete(id);
    account.cache?.close();
    AccountCache.destroy(this.#profile.cacheDir(id));
    this.#accounts.delete(id);
    this.#order = this.#order.filter((other) => other !== id);
    await this.#save();
  }

  /**
   * What a service working inside one account (tasks, later chats) needs: the account as the UI
   * sees it, its REST session when connected, its cache, and the people last seen on its home.
   */
  access(id: string): AccountAccess {
    const account = this.#require(id);
    return {
      view: this.#view(account),
      session: account.stored.state === 'connected' ? account.session : null,
      cache: this.#cache(account),
      people: () => this.#cache(account).get<{ people: Person[] }>(HOME_KEY)?.value.people ?? [],
      reportProblem: (error: unknown) => this.#reportProblem(account, error),
      reportSuccess: () => {
        account.realtime?.nudge();
        account.poller?.nudge();
        this.#clearProblem(account);
      },
    };
  }

  /** The portal answers again: the account's notice goes, and windows reload its home (shown as stale until now). */
  #clearProblem(account: Account): void {
    if (account.problem === undefined) return;
    account.problem = undefined;
    this.emit('changed');
    this.emit('home-changed', account.stored.id);
  }

  /** Network trouble is shown on the account and never signs it out; auth loss is handled by the session. */
  #reportProblem(account: Account, error: unknown): string | undefined {
    if (error instanceof AuthLostError || error instanceof SessionClosedError) return undefined;
    account.problem =
      error instanceof PortalUnreachableError
        ? 'Cannot reach the portal; retrying.'
        : `The portal answered with an error: ${(error as Error).message}`;
    this.emit('changed');
    return account.problem;
  }

  async home(id: string): Promise<HomeView> {
    const account = this.#require(id);
    if (account.stored.state === 'connected') await this.#refreshHome(account);
    return this.#cachedHome(account);
  }

  #cachedHome(account: Account): HomeView {
    const cached = this.#cache(account).get<{ profile: Person | null; people: Person[] }>(HOME_KEY);
    const stale = account.stored.state !== 'connected' || account.problem !== undefined;
    const problem =
      account.stored.state === 'disconnected'
        ? 'Disconnected'
        : account.stored.state === 'needs_login'
          ? 'Sign-in needed'
          : account.problem;
    return {
      profile: cached?.value.profile ?? null,
      people: cached?.value.people ?? [],
      stale,
      fetchedAt: cached?.updatedAt ?? null,
      ...(problem ? { problem } : {}),
    };
  }

  async #refreshHome(account: Account): Promise<void> {
    const session = account.session;
    if (!session) return;
    try {
      const colleagues = (start: number) => ({ filter: { ACTIVE: true }, sort: 'LAST_NAME', order: 'ASC', start });
      // The profile and the first page of people in one request; further pages (large teams) after it.
      const first = await session.batch<{ me: BitrixUser; people: BitrixUser[] }>({
        me: ['user.current'],
        people: ['user.get', colleagues(0)],
      });
      const current = first.me;
      const people: Person[] = first.people.result.map(toPerson);
      for (let start = first.people.next; start !== undefined && people.length < MAX_PEOPLE; ) {
        const page = await session.call<BitrixUser[]>('user.get', colleagues(start));
        people.push(...page.result.map(toPerson));
        start = page.next;
      }
      const profile = toPerson(current.result);
      const cache = this.#cache(account);
      const before = JSON.stringify(cache.get(HOME_KEY)?.value ?? null);
      cache.put(HOME_KEY, { profile, people }, this.#now());
      if (before !== JSON.stringify({ profile, people })) this.emit('home-changed', account.stored.id);
      if (!account.stored.login && profile.email) account.stored.login = profile.email;
      const userName = `${profile.name} ${profile.lastName}`.trim() || account.stored.login;
      const changed = account.problem !== undefined || account.stored.userName !== userName;
      account.problem = undefined;
      if (account.stored.userName !== userName) {
        account.stored.userName = userName;
        await this.#save();
      } else if (changed) this.emit('changed');
    } catch (error) {
      if (session.closed || error instanceof AuthLostError) return;
      account.problem =
        error instanceof PortalUnreachableError
          ? 'Cannot reach the portal; retrying.'
          : `The portal answered with an error: ${(error as Error).message}`;
      this.emit('changed');
    }
  }

  #open(account: Account): void {
    const id = account.stored.id;
    const session = new PortalSession({
      origin: account.stored.portalUrl,
      vaultKey: id,
      vault: this.#vault,
      dispatcher: this.#dispatcher,
      now: this.#now,
      onAuthLost: () => void this.#authLost(account),
      budget: this.#budgets.of(account.stored.portalUrl),
    });
    account.session = session;
    account.realtime = new PullClient({
      origin: account.stored.portalUrl,
      cache: this.#cache(account),
      fetchConfig: async () => (await session.call<PullConfig>('pull.config.get', { CACHE: 'N' }, { priority: 'background' })).result,
      isRefusal: (error) => error instanceof RestCallError && PULL_REFUSALS.has(error.code),
      onMessage: (body, replayed) => {
        const change = accountChangeOf(body);
        if (change) this.#apply(account, change, replayed);
      },
      onLive: (resumed) => {
        // Nothing to resume from: what changed while away was not replayed, so reload it.
        if (!resumed) this.#reloadAll(id);
        this.#wentLive(account, session);
      },
      onDown: () => this.emit('changed'),
      onRefused: () => this.#startPolling(account, session),
      now: this.#now,
    });
    account.realtime.start();
  }

  /** Push & Pull is closed to this credential: the documented im.v2.Event polling instead. */
  #startPolling(account: Account, session: PortalSession): void {
    account.realtime = null;
    account.poller = new ImEventPoller({
      cache: this.#cache(account),
      call: (method, params) => session.call(method, params, { priority: 'background' }),
      onChange: (change) => this.#apply(account, change, false),
      onCountersMoved: () => void this.#refreshCounters(account, session),
      onLive: () => this.#wentLive(account, session),
      onDown: () => this.emit('changed'),
    });
    account.poller.start();
    this.emit('changed');
  }

  /** Live over Pull or polling: the windows are told, and the counters may have moved while away. */
  #wentLive(account: Account, session: PortalSession): void {
    this.emit('changed');
    this.emit('live', account.stored.id);
    void this.#refreshCounters(account, session);
  }

  #reloadAll(id: string): void {
    this.emit('tasks-changed', id);
    this.emit('chats-changed', id);
    this.emit('home-changed', id);
  }

  /** `replayed`: a catch-up after an absence, which raises no notification. */
  #apply(account: Account, change: AccountChange, replayed: boolean): void {
    const id = account.stored.id;
    if (change.kind === 'task-changed') {
      this.emit('tasks-changed', id);
      return;
    }
    if (change.kind === 'chat-list-changed') {
      this.emit('chats-changed', id);
      return;
    }
    if (change.kind === 'message-new' && !replayed && change.message.author_id !== account.stored.userId) {
      this.emit('message-new', id, change.dialogId, change.message);
    }
    if (change.counter !== undefined) this.#setUnreadOf(account, change.dialogId, change.counter);
    this.emit('chats-changed', id, change.dialogId);
  }

  /** On every (re)connection: the counters may have moved while we were away. */
  async #refreshCounters(account: Account, session: PortalSession): Promise<void> {
    try {
      const answer = await session.call<ImCounters>('im.counters.get', {}, { priority: 'background' });
      this.#storeUnread(account, unreadOf(answer.result));
    } catch (error) {
      if (!session.closed) this.#reportProblem(account, error);
    }
  }

  #setUnreadOf(account: Account, dialogId: string, counter: number): void {
    if ((account.unread.get(dialogId) ?? 0) === counter) return;
    this.#storeUnread(account, new Map(account.unread).set(dialogId, counter));
  }

  #storeUnread(account: Account, unread: Map<string, number>): void {
    for (const [key, n] of unread) if (n === 0) unread.delete(key);
    const before = total(account.unread);
    account.unread = unread;
    this.#cache(account).put(UNREAD_KEY, Object.fromEntries(unread), this.#now());
    if (total(unread) !== before) this.emit('changed');
  }

  async #authLost(account: Account): Promise<void> {
    this.#close(account);
    account.stored.state = 'needs_login';
    account.problem = undefined;
    await this.#save();
  }

  #close(account: Account): void {
    account.realtime?.stop();
    account.realtime = null;
    account.poller?.stop();
    account.poller = null;
    account.session?.close();
    account.session = null;
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
    this.#revocations.stop();
  }
}

export class UnknownAccountError extends Error {
  constructor(id: string) {
    super(`no account with id ${id}`);
  }
}
