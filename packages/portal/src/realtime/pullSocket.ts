import { JSON_RPC_ACK_PREFIX, JSON_RPC_PING, JSON_RPC_PONG, PullCloseCode } from '@multidesk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { PortalContext } from '../http/context.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';
import type { EventSink, Subscription } from './hub.ts';
import type { PullListener } from './pullChannels.ts';
import { jsonRpcFrames, nginxFrame } from './pullMessages.ts';

const OPEN = 1;

export interface PullSocketOptions {
  listener: PullListener;
  /** The JSON-RPC framing of server version 5 (`jsonRpc=true`), else version 4's text framing. */
  jsonRpc: boolean;
  /** Resume after this seq (from the client's `mid`), or null: from now. */
  afterSeq: number | null;
  epoch: string;
  serverName: string;
}

/** The PullSocket each WebSocket carries: its listeners are shared functions, not closures per socket. */
const owners = new WeakMap<WebSocket, PullSocket>();

/**
 * One client's Push & Pull WebSocket: the member's events as Pull messages, resumed from the
 * client's `mid`; protocol pings (and, for JSON-RPC, text `ping`); `channel_expire` and close 3001
 * when the channel runs out; close 4010 when the member may no longer listen; close 1001 when the
 * server cannot serve it now (the client reconnects with backoff and resumes by mid).
 *
 * Thousands of these sit idle at once, so each keeps little: no timer of its own (the keepalive's
 * tick pings, text-pings and expires them all), no closure per listener, and nothing of the
 * request it came from.
 */
export class PullSocket implements EventSink {
  readonly #socket: WebSocket;
  readonly #ctx: PortalContext;
  readonly #options: PullSocketOptions;
  readonly #log: FastifyBaseLogger;
  readonly #subscription: Subscription;
  readonly #onClosed: (socket: PullSocket) => void;
  #sentSeq = 0;
  #alive = true;
  #closed = false;

  constructor(
    socket: WebSocket,
    ctx: PortalContext,
    options: PullSocketOptions,
    log: FastifyBaseLogger,
    onClosed: (socket: PullSocket) => void,
  ) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#options = options;
    this.#log = log;
    this.#onClosed = onClosed;
    owners.set(socket, this);
    socket.on('pong', PullSocket.#onPong);
    socket.on('message', PullSocket.#onMessage);
    socket.on('close', PullSocket.#onEnd);
    socket.on('error', PullSocket.#onEnd);
    // An app's own channel hears nothing of the user's (Bitrix24: app channels carry only the app's events).
    if (options.listener.application) {
      this.#subscription = { close: () => {} };
    } else {
      const { subscription, ready } = ctx.realtime.subscribe(options.listener.memberId, this, options.afterSeq);
      this.#subscription = subscription;
      ready.then(
        ({ seq }) => {
          this.#sentSeq = Math.max(this.#sentSeq, seq);
        },
        (err: unknown) => {
          // What was missed could not be read (the database is restarting): the client comes back
          // later with the same mid, and nothing is lost.
          log.warn({ err }, 'pull socket could not catch up; asked to reconnect');
          this.close(PullCloseCode.serverDie, 'server_unavailable');
        },
      );
    }
    // The SDK arms its stuck timer on each ping: the first comes at once.
    if (options.jsonRpc) this.textPing();
  }

  // The WebSocket's listeners, called with it as `this`.
  static readonly #onPong = function (this: WebSocket): void {
    const owner = owners.get(this);
    if (owner) owner.#alive = true;
  };

  static readonly #onMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
    const owner = owners.get(this);
    if (owner) owner.#receive(isBinary ? null : data.toString());
  };

  static readonly #onEnd = function (this: WebSocket): void {
    const owner = owners.get(this);
    if (owner) owner.#cleanup();
  };

  /** JSON-RPC's text `ping` (server version 5), on the keepalive's text tick. */
  textPing(): void {
    if (this.#options.jsonRpc) this.#sendText(JSON_RPC_PING);
  }

  #sendText(text: string): void {
    if (!this.#closed && this.#socket.readyState === OPEN) this.#socket.send(text);
  }

  /** The hub's delivery (this socket is its `EventSink`): the member's events, in seq order, each once. */
  deliver(events: readonly StoredEvent[]): void {
    const { epoch, serverName, jsonRpc, listener } = this.#options;
    if (jsonRpc) for (const frame of jsonRpcFrames(events, epoch, serverName)) this.#sendText(frame);
    else this.#sendText(nginxFrame(events, epoch, listener.channelId, serverName));
    this.#sentSeq = (events.at(-1) as StoredEvent).seq;
  }

  /** What a client may send: `pong`, `mack:<mid>` and JSON-RPC requests (only `ping` is served). */
  #receive(text: string | null): void {
    if (text === null || !this.#options.jsonRpc) return;
    if (text === JSON_RPC_PONG || text.startsWith(JSON_RPC_ACK_PREFIX)) return;
    let request: { id?: unknown; method?: unknown } | null = null;
    try {
      request = JSON.parse(text) as { id?: unknown; method?: unknown };
    } catch {}
    if (!request || typeof request !== 'object' || request.id === undefined) {
      this.#sendText(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    // `method` is whatever the client sent: an object with its own `toString` would throw in String().
    const method = typeof request.method === 'string' ? request.method : typeof request.method;
    const answer = method === 'ping' ? { result: {} } : { error: { code: -32601, message: `Method not found: ${method}` } };
    this.#sendText(JSON.stringify({ jsonrpc: '2.0', id: request.id, ...answer }));
  }

  /** A `pull` control command, at the position the client stands (it names no new event). */
  #control(command: string, params: Record<string, unknown>): void {
    const { epoch, serverName, jsonRpc, listener } = this.#options;
    const event: StoredEvent = {
      memberId: listener.memberId,
      seq: this.#sentSeq,
      payload: JSON.stringify({ module_id: 'pull', command, params }),
      createdAt: this.#ctx.now(),
    };
    const [frame] = jsonRpc ? jsonRpcFrames([event], epoch, serverName) : [nginxFrame([event], epoch, listener.channelId, serverName)];
    if (frame) this.#sendText(frame);
  }

  /** The channel's 12 hours are over: the client fetches a new config and comes back with its mid. */
  expire(): void {
    this.#control('channel_expire', { action: 'get_config', channel: { id: this.#options.listener.channelId, type: 'private' } });
    this.close(PullCloseCode.channelExpired, 'channel expired');
  }

  /** Who listens here: the keepalive checks, once for all their sockets, that they still may. */
  get listener(): { portalId: number; memberId: number } {
    return this.#options.listener;
  }

  /**
   * The keepalive tick: drops a socket that missed the last ping, expires one whose channel ran out
   * (within a tick of its end: clients fetch a new config well before), and pings the others;
   * false when the socket is gone.
   */
  heartbeat(): boolean {
    if (this.#closed) return false;
    if (this.#ctx.now() >= this.#options.listener.expiresAt) {
      this.expire();
      return false;
    }
    if (!this.#alive) {
      this.#socket.terminate();
      this.#cleanup();
      return false;
    }
    this.#alive = false;
    this.#socket.ping();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#socket.close(code, reason);
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscription.close();
    owners.delete(this.#socket);
    this.#onClosed(this);
    this.#log.debug({ memberId: this.#options.listener.memberId }, 'pull socket closed');
  }
}
