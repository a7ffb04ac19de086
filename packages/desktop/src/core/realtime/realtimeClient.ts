import { REALTIME_PATH, RealtimeCloseCode, type RealtimeEvent, type RealtimeServerMessage } from '@multidesk/protocol';
import WebSocket from 'ws';
import type { AccountCache } from '../accounts/accountCache.ts';
import { loopbackAwareLookup } from '../portal/loopbackDispatcher.ts';

const SEQ_KEY = 'realtime:last-seq';
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;
/** The server pings every 30 s: two missed pings mean the connection is dead even if TCP has not noticed. */
const SILENCE_LIMIT_MS = 70_000;

export interface RealtimeClientOptions {
  origin: string;
  cache: AccountCache;
  /** A valid access token (refreshed when needed); `force` after the server refused the last one. */
  accessToken(force: boolean): Promise<string>;
  onEvent(event: RealtimeEvent): void;
  /** The server no longer has what we missed: reload state over REST. */
  onResync(): void;
  /** Authenticated and caught up: events from now on arrive as they happen. */
  onReady(): void;
  /** A live connection dropped: events wait until it is back. */
  onDown(): void;
  now?: () => number;
}

/**
 * One account's live connection. It authenticates in its first message (never in the URL),
 * resumes from the last processed `seq` (kept in the account's cache, so a restart resumes too),
 * ignores replays it has already seen, and reconnects with capped, fully jittered backoff so that
 * many accounts coming back at once do not stampede their portals.
 */
export class RealtimeClient {
  readonly #options: RealtimeClientOptions;
  #socket: WebSocket | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #silenceTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #stopped = false;
  #forceRefresh = false;
  #live = false;
  #everLive = false;
  /** Between a (re)connect starting and its socket existing (the token is being fetched). */
  #connecting = false;

  constructor(options: RealtimeClientOptions) {
    this.#options = options;
  }

  /** Authenticated and caught up, until the connection drops. */
  get live(): boolean {
    return this.#live;
  }

  /** Was live once since `start`: a drop now is a reconnection, not a first connection. */
  get everLive(): boolean {
    return this.#everLive;
  }

  get lastSeq(): number | null {
    return this.#options.cache.get<number>(SEQ_KEY)?.value ?? null;
  }

  start(): void {
    this.#stopped = false;
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#live = false;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#silenceTimer);
    this.#socket?.terminate();
    this.#socket = null;
  }

  /**
   * The portal just answered a REST call: if this connection is waiting out a backoff, it tries
   * now, so a portal that comes back is live again at once rather than after up to 30 s.
   */
  nudge(): void {
    if (this.#stopped || this.#socket !== null || this.#connecting) return;
    clearTimeout(this.#retryTimer);
    this.#attempt = 0;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let token: string;
    this.#connecting = true;
    try {
      token = await this.#options.accessToken(this.#forceRefresh);
      this.#forceRefresh = false;
    } catch {
      // The session reports auth loss itself; a network failure is retried like any other.
      this.#scheduleRetry();
      return;
    } finally {
      this.#connecting = false;
    }
    if (this.#stopped) return;
    const url = `${this.#options.origin.replace(/^http/, 'ws')}${REALTIME_PATH}`;
    const socket = new WebSocket(url, { lookup: loopbackAwareLookup as never, handshakeTimeout: 10_000, maxPayload: 4 * 1024 * 1024 });
    this.#socket = socket;
    socket.on('open', () => {
      const lastSeq = this.lastSeq;
      socket.send(JSON.stringify({ type: 'auth', access_token: token, ...(lastSeq !== null ? { last_seq: lastSeq } : {}) }));
      this.#watchSilence(socket);
    });
    socket.on('ping', () => this.#watchSilence(socket));
    socket.on('message', (data) => this.#receive(String(data)));
    socket.on('error', () => {});
    socket.on('close', (code) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      const wasLive = this.#live;
      this.#live = false;
      clearTimeout(this.#silenceTimer);
      if (wasLive) this.#options.onDown();
      if (code === RealtimeCloseCode.invalidToken) this.#forceRefresh = true;
      this.#scheduleRetry();
    });
  }

  #receive(text: string): void {
    let message: RealtimeServerMessage;
    try {
      message = JSON.parse(text) as RealtimeServerMessage;
    } catch {
      return;
    }
    if (message.type === 'ready') {
      this.#attempt = 0;
      this.#live = true;
      this.#everLive = true;
      // The first connection starts from here, so a drop before any event still resumes without a gap.
      if (this.lastSeq === null) this.#options.cache.put(SEQ_KEY, message.seq, this.#now());
      this.#options.onReady();
      return;
    }
    if (message.type === 'resync') {
      this.#options.cache.put(SEQ_KEY, message.seq, this.#now());
      this.#options.onResync();
      return;
    }
    if (!('seq' in message)) return;
    const lastSeq = this.lastSeq ?? 0;
    if (message.seq <= lastSeq) return;
    this.#options.onEvent(message);
    this.#options.cache.put(SEQ_KEY, message.seq, this.#now());
  }

  #watchSilence(socket: WebSocket): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => socket.terminate(), SILENCE_LIMIT_MS);
    this.#silenceTimer.unref();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    const delay = Math.random() * ceiling;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
    this.#retryTimer.unref();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
