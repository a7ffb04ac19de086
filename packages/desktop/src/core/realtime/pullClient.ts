import {
  JSON_RPC_ACK_PREFIX,
  JSON_RPC_PONG,
  matches,
  PULL_JSON_RPC_PING_MS,
  PULL_REVISION,
  type PullBody,
  PullChannelExpireParams,
  PullCloseCode,
  type PullConfig,
  type PullMessage,
  parseJsonRpcFrame,
  parseNginxFrames,
} from '@multidesk/protocol';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import type { AccountCache } from '../accounts/accountCache.ts';
import { DeferredSaves } from '../accounts/deferredSaves.ts';
import { loopbackAwareLookup } from '../portal/loopbackDispatcher.ts';

const MID_KEY = 'pull:last-mid';
/** Where the link resumes is written once a burst is over (see DeferredSaves), not with a disk sync per message. */
const MID_SAVE_DELAY_MS = 1_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;
/** Server version 4 pings at the WebSocket level (every 30 s here): two missed pings mean a dead link TCP has not noticed. */
const SILENCE_LIMIT_MS = 70_000;
/** Server version 5 sends a text `ping`: the SDK calls a link stuck after twice the interval without one (close 3005). */
const STUCK_LIMIT_MS = 2 * PULL_JSON_RPC_PING_MS;
/** Bitrix24's docs: after more than four failed WebSocket connections, long polling. */
const WEBSOCKET_FAILURES_BEFORE_LONG_POLLING = 5;
/** Long polling for this long, then the WebSocket is tried again. */
const LONG_POLLING_SPELL_MS = 10 * 60_000;
/** The JS SDK's client timeout for one long-polling request (the server answers 304 before it). */
const LONG_POLL_REQUEST_MS = 60_000;
/** A long poll is held until something happens: one still open after this has reached the server. */
const LONG_POLL_SETTLED_MS = 1_000;
/** `server_restart`: the JS SDK reconnects after 15 s; a REST answer (nudge) may bring it sooner. */
const SERVER_RESTART_DELAY_MS = 15_000;
/** The JS SDK's CONFIG_CHECK_INTERVAL: a config whose channels ran out is replaced while connected. */
const CONFIG_CHECK_INTERVAL_MS = 60_000;
/** Messages are deduplicated by mid, as the SDK does with its last ten. */
const REMEMBERED_MIDS = 10;

export type PullTransport = 'websocket' | 'long-polling';

export interface PullClientOptions {
  /** The portal's address: https means the secure push addresses. */
  origin: string;
  /** Where the last processed `mid` is kept, so that a restart resumes too. */
  cache: AccountCache;
  /** `pull.config.get` for the account. A rejection that `isRefusal` recognises stops the client. */
  fetchConfig(): Promise<PullConfig>;
  /** This credential may not use Push & Pull (e.g. an OAuth app's token): do not retry. */
  isRefusal(error: unknown): boolean;
  /**
   * A message of a module other than `pull` (`im`, `tasks` …), once each, in the order sent.
   * `replayed`: it happened before this connection began (a catch-up after an absence), by the
   * server's clock as the config's `serverTime` relates it to ours.
   */
  onMessage(body: PullBody, replayed: boolean): void;
  /**
   * Connected. `resumed` is false when events missed while away cannot have been replayed (there
   * was no `mid` to resume from): reload what is shown.
   */
  onLive(resumed: boolean): void;
  /** A live connection dropped: events wait until it is back. */
  onDown(): void;
  /** `pull.config.get` was refused: this account needs another way to hear of changes. */
  onRefused(error: unknown): void;
  now?: () => number;
  /** The backoff's first ceiling and its cap (tests shorten them). */
  backoff?: { baseMs: number; capMs: number };
}

/**
 * The address the JS SDK connects to (PullClient.getConnectionPath): the signed channels (or the
 * version 5 JWT), JSON-RPC from version 5, the cloud's `clientId`, `mid` to resume, `revision`.
 * Version 4 is read in its text framing (`#!NGINXNMS!#`), so no `binaryMode`.
 */
export function pullConnectionUrl(config: PullConfig, options: { secure: boolean; longPolling: boolean; mid: string | null }): string {
  const { server } = config;
  const base = options.longPolling
    ? options.secure
      ? (server.long_pooling_secure ?? server.long_polling_secure ?? server.long_polling)
      : server.long_polling
    : options.secure
      ? server.websocket_secure
      : server.websocket;
  const query = new URLSearchParams();
  if (config.jwt) query.set('token', config.jwt);
  else {
    const channels = [config.channels.private?.id, config.channels.shared?.id].filter((id): id is string => !!id);
    if (channels.length === 0) throw new Error('the Push & Pull configuration names no channel');
    query.set('CHANNEL_ID', channels.join('/'));
  }
  if (server.version >= 5) query.set('jsonRpc', 'true');
  if (server.mode === 'shared') {
    if (!config.clientId) throw new Error('a shared push server needs the clientId the configuration lacks');
    query.set('clientId', config.clientId);
  }
  if (options.mid) query.set('mid', options.mid);
  query.set('revision', String(PULL_REVISION));
  return `${base}?${query}`;
}

/** The config's channels or the config itself run out within `marginMs`. */
export function configExpired(config: PullConfig, now: number, marginMs = 0): boolean {
  const ends = [config.channels.private?.end, config.channels.shared?.end].flatMap((end) => (end ? [Date.parse(end)] : []));
  if (config.exp !== undefined) ends.push(config.exp * 1000);
  return ends.some((end) => Number.isFinite(end) && end <= now + marginMs);
}

/**
 * One account's Push & Pull link, as Bitrix24's own clients keep it: the config from
 * `pull.config.get`, a WebSocket to the push server (version 4 framing or version 5 JSON-RPC, with
 * its ping, pong and `mack`), `mid` resume kept in the account's cache, the `pull` control commands
 * and close codes, long polling when WebSockets keep failing, and capped, fully jittered backoff so
 * that many accounts coming back at once do not stampede their portals.
 */
export class PullClient {
  readonly #options: PullClientOptions;
  readonly #secure: boolean;
  #config: PullConfig | null = null;
  #socket: WebSocket | null = null;
  #longPoll: AbortController | null = null;
  /** Long polling's own agent: its requests are held far longer than REST's timeouts allow. */
  #longPollAgent: Agent | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #silenceTimer: NodeJS.Timeout | undefined;
  #configTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #websocketFailures = 0;
  #longPollingUntil = 0;
  #stopped = true;
  #live = false;
  #everLive = false;
  /** Between a (re)connect starting and its socket or poll existing (the config is being fetched). */
  #connecting = false;
  /** Set by a close or control command: the next attempt waits this long instead of the backoff. */
  #nextDelayMs: number | null = null;
  readonly #recentMids: string[] = [];
  /** The newest message's id while its save to the cache is put off. */
  #lastMid: string | null = null;
  readonly #midSave = new DeferredSaves(MID_SAVE_DELAY_MS, () => this.#saveMid());
  /** The server's clock minus ours (ms), from the config's `serverTime`. */
  #timeShift = 0;
  /** When the current connection attempt began, on our clock: earlier messages are replays. */
  #attemptStartedAt = 0;

  constructor(options: PullClientOptions) {
    this.#options = options;
    this.#secure = options.origin.startsWith('https:');
  }

  /** Connected and receiving, until the link drops. */
  get live(): boolean {
    return this.#live;
  }

  /** Was live once since `start`: a drop now is a reconnection, not a first connection. */
  get everLive(): boolean {
    return this.#everLive;
  }

  get transport(): PullTransport {
    return this.#longPollingUntil > this.#now() ? 'long-polling' : 'websocket';
  }

  get lastMid(): string | null {
    return this.#lastMid ?? this.#options.cache.get<string>(MID_KEY)?.value ?? null;
  }

  /** The newest message's id: the link resumes after it, and the cache has it a moment later. */
  #remember(mid: string): void {
    this.#lastMid = mid;
    this.#midSave.mark(MID_KEY, MID_KEY);
  }

  #saveMid(): void {
    if (this.#lastMid === null) return;
    try {
      this.#options.cache.put(MID_KEY, this.#lastMid, this.#now());
    } catch {
      // The account was deleted, its cache closed with it: there is nothing to resume.
    }
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
    clearInterval(this.#configTimer);
    this.#socket?.terminate();
    this.#socket = null;
    this.#longPoll?.abort();
    this.#longPoll = null;
    void this.#longPollAgent?.close();
    this.#longPollAgent = null;
    this.#midSave.flush();
  }

  /**
   * The portal just answered a REST call: if this link is waiting out a backoff, it tries now, so
   * a portal that comes back is live again at once rather than after up to 30 s.
   */
  nudge(): void {
    if (this.#stopped || this.#socket !== null || this.#longPoll !== null || this.#connecting) return;
    clearTimeout(this.#retryTimer);
    this.#attempt = 0;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#connecting = true;
    let config: PullConfig;
    try {
      config = await this.#currentConfig();
    } catch (error) {
      this.#connecting = false;
      if (this.#options.isRefusal(error)) {
        this.stop();
        this.#options.onRefused(error);
        return;
      }
      // Auth loss is reported by the session; a network failure is retried like any other.
      this.#scheduleRetry();
      return;
    }
    this.#connecting = false;
    if (this.#stopped) return;
    if (this.transport === 'long-polling') {
      void this.#poll(config);
      return;
    }
    try {
      this.#open(config);
    } catch {
      // A config no connection can be made from (a shared server without its clientId): ask again later.
      this.#config = null;
      this.#scheduleRetry();
    }
  }

  async #currentConfig(): Promise<PullConfig> {
    if (this.#config && !configExpired(this.#config, this.#now())) return this.#config;
    this.#config = null;
    const asked = this.#now();
    const config = await this.#options.fetchConfig();
    const serverTime = config.serverTime ? Date.parse(config.serverTime) : Number.NaN;
    if (Number.isFinite(serverTime)) this.#timeShift = serverTime - (asked + this.#now()) / 2;
    this.#config = config;
    return config;
  }

  #open(config: PullConfig): void {
    const url = pullConnectionUrl(config, { secure: this.#secure, longPolling: false, mid: this.lastMid });
    const jsonRpc = config.server.version >= 5;
    this.#attemptStartedAt = this.#now();
    const socket = new WebSocket(url, { lookup: loopbackAwareLookup as never, handshakeTimeout: 10_000, maxPayload: 8 * 1024 * 1024 });
    this.#socket = socket;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      this.#websocketFailures = 0;
      this.#watchSilence(socket, jsonRpc ? STUCK_LIMIT_MS : SILENCE_LIMIT_MS);
      this.#becameLive();
    });
    socket.on('ping', () => this.#watchSilence(socket, SILENCE_LIMIT_MS));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = String(data);
      if (!jsonRpc) {
        this.#receive(parseNginxFrames(text).messages);
        return;
      }
      const frame = parseJsonRpcFrame(text);
      if (frame.kind === 'ping') {
        socket.send(JSON_RPC_PONG);
        this.#watchSilence(socket, STUCK_LIMIT_MS);
      } else if (frame.kind === 'messages') {
        this.#receive(frame.messages);
        for (const message of frame.messages) if (socket.readyState === WebSocket.OPEN) socket.send(`${JSON_RPC_ACK_PREFIX}${message.mid}`);
      }
    });
    const closed = (code: number) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      clearTimeout(this.#silenceTimer);
      this.#afterClose(opened ? code : PullCloseCode.serverDie);
    };
    socket.on('unexpected-response', (request) => {
      // An HTTP answer instead of an upgrade: the portal is there, WebSockets do not get through
      // (a proxy in the way). A portal that is down fails differently and does not count.
      // With this listener ws leaves the request to us and emits no close.
      request.destroy();
      this.#websocketFailures += 1;
      if (this.#websocketFailures >= WEBSOCKET_FAILURES_BEFORE_LONG_POLLING) {
        this.#websocketFailures = 0;
        this.#longPollingUntil = this.#now() + LONG_POLLING_SPELL_MS;
        this.#nextDelayMs = 0;
      }
      closed(PullCloseCode.serverDie);
    });
    socket.on('error', () => {});
    socket.on('close', closed);
  }

  /** What a close code asks of the client (JS SDK `CloseReasons`). */
  #afterClose(code: number): void {
    if (code === PullCloseCode.wrongChannelId || code === PullCloseCode.channelExpired || code === PullCloseCode.configExpired) {
      // The channels are no good: fetch a new config (a wrong channel after the usual backoff).
      this.#config = null;
      if (code !== PullCloseCode.wrongChannelId) this.#nextDelayMs ??= 0;
    }
    if (code === PullCloseCode.configReplaced) this.#nextDelayMs ??= 0;
    this.#wentDown();
    this.#scheduleRetry();
  }

  async #poll(config: PullConfig): Promise<void> {
    const abort = new AbortController();
    this.#longPoll = abort;
    this.#attemptStartedAt = this.#now();
    let code: number = PullCloseCode.normal;
    try {
      while (!this.#stopped && this.#longPoll === abort && this.transport === 'long-polling') {
        if (configExpired(config, this.#now())) {
          code = PullCloseCode.channelExpired;
          break;
        }
        const url = pullConnectionUrl(config, { secure: this.#secure, longPolling: true, mid: this.lastMid });
        this.#longPollAgent ??= new Agent({
          connect: { lookup: loopbackAwareLookup as never, timeout: 5_000 },
          headersTimeout: LONG_POLL_REQUEST_MS,
          bodyTimeout: LONG_POLL_REQUEST_MS,
        });
        const settled = setTimeout(() => {
          if (this.#longPoll === abort && !this.#live) this.#becameLive();
        }, LONG_POLL_SETTLED_MS);
        const response = await fetch(url, {
          dispatcher: this.#longPollAgent,
          headers: { 'user-agent': 'Multidesk' },
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(LONG_POLL_REQUEST_MS)]),
        }).finally(() => clearTimeout(settled));
        const text = await response.text();
        if (response.status !== 200 && response.status !== 304) {
          code = response.status === 400 || response.status === 403 ? PullCloseCode.wrongChannelId : PullCloseCode.serverDie;
          break;
        }
        if (!this.#live) this.#becameLive();
        if (response.status === 304) {
          const last = response.headers.get('last-message-id');
          if (last) this.#remember(last);
          continue;
        }
        this.#receive(parseNginxFrames(text).messages);
      }
    } catch {
      code = PullCloseCode.serverDie;
    }
    if (this.#longPoll !== abort) return;
    this.#longPoll = null;
    if (this.#stopped) return;
    this.#afterClose(code);
  }

  #becameLive(): void {
    const resumed = this.lastMid !== null;
    this.#attempt = 0;
    this.#live = true;
    this.#everLive = true;
    clearInterval(this.#configTimer);
    this.#configTimer = setInterval(() => this.#checkConfig(), CONFIG_CHECK_INTERVAL_MS);
    this.#configTimer.unref();
    this.#options.onLive(resumed);
  }

  #wentDown(): void {
    clearInterval(this.#configTimer);
    const wasLive = this.#live;
    this.#live = false;
    if (wasLive) this.#options.onDown();
  }

  /** The channels ran out while connected (the server did not say so): reconnect with a new config. */
  #checkConfig(): void {
    if (this.#config && configExpired(this.#config, this.#now())) this.#restart(PullCloseCode.channelExpired, 0);
  }

  /** Ends the current link with `code`; the next one starts after `delayMs`. */
  #restart(code: number, delayMs: number): void {
    const socket = this.#socket;
    const poll = this.#longPoll;
    if (!socket && !poll) return;
    this.#socket = null;
    this.#longPoll = null;
    clearTimeout(this.#silenceTimer);
    socket?.terminate();
    poll?.abort();
    this.#nextDelayMs = delayMs;
    this.#afterClose(code);
  }

  #receive(messages: readonly PullMessage[]): void {
    for (const message of messages) {
      if (message.body.module_id === 'pull') {
        this.#control(message.body);
        continue;
      }
      if (this.#recentMids.includes(message.mid)) continue;
      this.#recentMids.push(message.mid);
      if (this.#recentMids.length > REMEMBERED_MIDS) this.#recentMids.shift();
      const sentAt = message.body.extra?.server_time_unix;
      const replayed = typeof sentAt === 'number' && sentAt * 1000 - this.#timeShift < this.#attemptStartedAt;
      this.#options.onMessage(message.body, replayed);
      this.#remember(message.mid);
    }
  }

  /** `channel_expire`, `config_expire`, `server_restart` (JS SDK handleInternalPullEvent). */
  #control(body: PullBody): void {
    if (body.command === 'channel_expire') {
      const params = matches(PullChannelExpireParams, body.params) ? body.params : null;
      const replacement = params?.action === 'reconnect' ? params.new_channel : undefined;
      const config = this.#config;
      if (replacement && config && (replacement.type === 'shared' || replacement.type === 'private')) {
        this.#config = { ...config, channels: { ...config.channels, [replacement.type]: replacement } };
        this.#restart(PullCloseCode.configReplaced, 0);
      } else {
        this.#config = null;
        this.#restart(PullCloseCode.channelExpired, 0);
      }
    } else if (body.command === 'config_expire') {
      this.#config = null;
      this.#restart(PullCloseCode.configExpired, 0);
    } else if (body.command === 'server_restart') {
      this.#restart(PullCloseCode.serverRestarted, SERVER_RESTART_DELAY_MS * (1 + Math.random() * 0.2));
    }
  }

  #watchSilence(socket: WebSocket, limitMs: number): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => {
      if (this.#socket === socket) this.#restart(PullCloseCode.stuck, 0);
    }, limitMs);
    this.#silenceTimer.unref();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    let delay = this.#nextDelayMs;
    this.#nextDelayMs = null;
    if (delay === null) {
      const { baseMs, capMs } = this.#options.backoff ?? { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS };
      const ceiling = Math.min(capMs, baseMs * 2 ** this.#attempt);
      this.#attempt += 1;
      delay = Math.random() * ceiling;
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
    this.#retryTimer.unref();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
