import type { AccountView, AppState, BridgeEvent, HomeView, WindowKind } from '@multidesk/protocol/bridge';
import { call, connectEvents, errorMessage } from '../bridgeClient.ts';
import { keepUnchanged } from './keepUnchanged.ts';

/**
 * What a window knows of the core: the app state and the homes it asked for. One store per window,
 * fed by bridge calls and the events socket; React reads it through `useSyncExternalStore`.
 */

export type HomeEntry =
  | { status: 'loading'; home?: HomeView }
  | { status: 'ready'; home: HomeView }
  | { status: 'error'; error: string; home?: HomeView };

export interface StoreSnapshot {
  state: AppState | null;
  /** Why the state could not be loaded, while it could not. */
  stateError: string | null;
  live: 'connecting' | 'open' | 'closed';
  homes: ReadonlyMap<string, HomeEntry>;
  /** Counts the server's task changes per account (realtime, or maybe missed while the events socket was down): task lists showing them reload. */
  taskVersions: ReadonlyMap<string, number>;
  /** Bumped when an account's chats change (realtime, or maybe missed while the events socket was down): its chat list and open dialog reload. */
  chatVersions: ReadonlyMap<string, number>;
  /** The chat the core asked this window to show (a notification was clicked); `seq` tells requests apart. */
  chatToShow: { accountId: string; dialogId: string; seq: number } | null;
}

export type NotifyEvent = Extract<BridgeEvent, { type: 'notify' }>;
export type ChatDeltaEvent = Extract<BridgeEvent, { type: 'chat-delta' }>;

type Listener = () => void;

/** Just before the next frame is drawn; where there are no frames (a store outside a window), at once after this task. */
const nextFrame = (run: () => void) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : setTimeout(run, 0));

/** Chat changes within this time reload an account's chats once. */
const CHAT_RELOAD_DELAY_MS = 200;

export class BridgeStore {
  private snapshot: StoreSnapshot = {
    state: null,
    stateError: null,
    live: 'connecting',
    homes: new Map(),
    taskVersions: new Map(),
    chatVersions: new Map(),
    chatToShow: null,
  };
  private readonly listeners = new Set<Listener>();
  private readonly notifyListeners = new Set<(event: NotifyEvent) => void>();
  private readonly chatDeltaListeners = new Set<(events: ChatDeltaEvent[]) => void>();
  /** Chat changes that came after one was handed over in this frame: handed over together, just before the next. */
  private chatDeltas: ChatDeltaEvent[] = [];
  /** A chat change was handed over since the last frame began. */
  private chatDeltaThisFrame = false;
  /** The latest request per account: an older answer arriving late is dropped. */
  private readonly homeRequests = new Map<string, number>();
  private stateRequest = 0;
  private requestSeq = 0;
  private stop: (() => void) | null = null;
  private readonly chatTimers = new Map<string, ReturnType<typeof setTimeout>>();

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StoreSnapshot => this.snapshot;

  /** Notifications the core raises; a window decides whether it is the one to show them. */
  onNotify(listener: (event: NotifyEvent) => void): () => void {
    this.notifyListeners.add(listener);
    return () => this.notifyListeners.delete(listener);
  }

  /**
   * Chat changes the core applied: the chat list and the open dialog apply them with no request.
   * The first of a frame is handed over at once; any more wait for the next frame and go together,
   * so a burst of messages renders about once a frame, not once a message.
   */
  onChatDeltas(listener: (events: ChatDeltaEvent[]) => void): () => void {
    this.chatDeltaListeners.add(listener);
    return () => this.chatDeltaListeners.delete(listener);
  }

  start(window: WindowKind): void {
    if (this.stop) return;
    void this.loadState();
    this.stop = connectEvents(window, {
      onEvent: (event) => this.onEvent(event),
      onOpen: (reconnected) => {
        this.set({ live: 'open' });
        if (reconnected) this.catchUp();
      },
      onClose: () => this.set({ live: 'closed' }),
    });
  }

  async loadState(): Promise<void> {
    const seq = ++this.requestSeq;
    this.stateRequest = seq;
    try {
      const state = await call('getState', {});
      if (this.stateRequest === seq) this.applyState(state);
    } catch (err) {
      if (this.stateRequest === seq) this.set({ stateError: errorMessage(err) });
    }
  }

  /** Loads an account's home unless it is loaded or loading. */
  ensureHome(accountId: string): void {
    if (!this.snapshot.homes.has(accountId)) void this.loadHome(accountId);
  }

  async loadHome(accountId: string): Promise<void> {
    const seq = ++this.requestSeq;
    this.homeRequests.set(accountId, seq);
    const previous = this.snapshot.homes.get(accountId);
    this.setHome(accountId, { status: 'loading', ...(previous?.home ? { home: previous.home } : {}) });
    let entry: HomeEntry;
    try {
      entry = { status: 'ready', home: await call('home', { id: accountId }) };
    } catch (err) {
      entry = { status: 'error', error: errorMessage(err), ...(previous?.home ? { home: previous.home } : {}) };
    }
    if (this.homeRequests.get(accountId) !== seq) return;
    this.homeRequests.delete(accountId);
    if (this.snapshot.state && !this.snapshot.state.accounts.some((a) => a.id === accountId)) return;
    this.setHome(accountId, entry);
  }

  /**
   * A successful sign-in answers the account before the state event may arrive: show it at once.
   * The answer and the events travel apart, so it may also come after a newer pushed state (the
   * account already polling, its unread counted): the core's state is asked again, and nothing
   * older than what the core has stays on screen. A push that comes meanwhile wins, as always.
   */
  upsertAccount(account: AccountView): void {
    const state = this.snapshot.state;
    if (!state) return;
    const exists = state.accounts.some((a) => a.id === account.id);
    const accounts = exists ? state.accounts.map((a) => (a.id === account.id ? account : a)) : [...state.accounts, account];
    this.applyState({ ...state, accounts });
    void this.loadState();
    // A new sign-in may bring new data for a known account (needs_login → connected).
    if (exists && this.snapshot.homes.has(account.id)) void this.loadHome(account.id);
  }

  /**
   * Back after the events socket dropped: what changed meanwhile came as events nobody heard. The
   * state and the homes are fetched again, and every account's task and chat lists are told to reload.
   */
  private catchUp(): void {
    void this.loadState();
    for (const id of this.snapshot.homes.keys()) void this.loadHome(id);
    const ids = this.snapshot.state?.accounts.map((a) => a.id) ?? [];
    const bumped = (versions: ReadonlyMap<string, number>) => {
      const next = new Map(versions);
      for (const id of ids) next.set(id, (next.get(id) ?? 0) + 1);
      return next;
    };
    this.set({ taskVersions: bumped(this.snapshot.taskVersions), chatVersions: bumped(this.snapshot.chatVersions) });
  }

  private onEvent(event: BridgeEvent): void {
    if (event.type === 'state') {
      // A pushed state is newer than any getState in flight.
      this.stateRequest = -1;
      this.applyState(event.state);
    } else if (event.type === 'tasks-changed') {
      const taskVersions = new Map(this.snapshot.taskVersions);
      taskVersions.set(event.accountId, (taskVersions.get(event.accountId) ?? 0) + 1);
      this.set({ taskVersions });
    } else if (event.type === 'chats-changed') {
      // A burst of messages reloads once, not once per message: the account's REST budget is small.
      const accountId = event.accountId;
      if (this.chatTimers.has(accountId)) return;
      this.chatTimers.set(
        accountId,
        setTimeout(() => {
          this.chatTimers.delete(accountId);
          const chatVersions = new Map(this.snapshot.chatVersions);
          chatVersions.set(accountId, (chatVersions.get(accountId) ?? 0) + 1);
          this.set({ chatVersions });
        }, CHAT_RELOAD_DELAY_MS),
      );
    } else if (event.type === 'chat-delta') {
      if (this.chatDeltaThisFrame) {
        this.chatDeltas.push(event);
        return;
      }
      this.chatDeltaThisFrame = true;
      // The frame is asked for before the change is rendered (2 to 3 ms of script): asked after,
      // a frame that began meanwhile was already passed up, and the row waited a whole frame more
      // (17 to 23 ms from the DOM to its paint in the tail of bench/realtime, traced).
      nextFrame(() => {
        this.chatDeltaThisFrame = false;
        if (this.chatDeltas.length > 0) this.deliverChatDeltas(this.chatDeltas.splice(0));
      });
      this.deliverChatDeltas([event]);
    } else if (event.type === 'notify') {
      for (const listener of this.notifyListeners) listener(event);
    } else if (event.type === 'open-chat') {
      const seq = (this.snapshot.chatToShow?.seq ?? 0) + 1;
      this.set({ chatToShow: { accountId: event.accountId, dialogId: event.dialogId, seq } });
    } else if (this.snapshot.homes.has(event.accountId)) {
      void this.loadHome(event.accountId);
    }
  }

  private deliverChatDeltas(events: ChatDeltaEvent[]): void {
    for (const listener of this.chatDeltaListeners) listener(events);
  }

  private applyState(received: AppState): void {
    // The accounts a change did not touch keep their objects, so their memoized tabs and panels skip
    // the render; a state equal to the one shown tells no one.
    const state = this.snapshot.state ? keepUnchanged(this.snapshot.state, received) : received;
    if (state === this.snapshot.state && this.snapshot.stateError === null) return;
    const ids = new Set(state.accounts.map((a) => a.id));
    let homes = this.snapshot.homes;
    if ([...homes.keys()].some((id) => !ids.has(id))) {
      homes = new Map([...homes].filter(([id]) => ids.has(id)));
    }
    this.set({ state, stateError: null, homes });
  }

  private setHome(accountId: string, entry: HomeEntry): void {
    const homes = new Map(this.snapshot.homes);
    homes.set(accountId, entry);
    this.set({ homes });
  }

  private set(patch: Partial<StoreSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
}
