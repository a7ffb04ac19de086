import { JSON_RPC_ACK_PREFIX, JSON_RPC_PING, JSON_RPC_PONG, PullCloseCode } from '@multidesk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { PortalContext } from '../http/context.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';
import type { Subscription } from './hub.ts';
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

/**
 * One client's Push & Pull WebSocket: the member's events as Pull messages, resumed from the
 * client's `mid`; protocol pings (and, for JSON-RPC, text `ping`); `channel_expire` and close 3001
 * when the channel runs out; close 4010 when the member may no longer listen; close 1001 when the
 * server cannot serve it now (the client reconnects with backoff and resumes by mid).
 */
export class PullSocket {
  readonly #socket: WebSocket;
  readonly #ctx: PortalContext;
  readonly #options: PullSocketOptions;
  readonly #log: FastifyBaseLogger;
  readonly #subscription: Subscription;
  readonly #expiry: NodeJS.Timeout;
  readonly #textPing: NodeJS.Timeout | undefined;
  readonly #onClosed: () => void;
  #sentSeq = 0;
  #alive = true;
  #closed = false;

  constructor(socket: WebSocket, ctx: PortalContext, options: PullSocketOptions, log: FastifyBaseLogger, onClosed: () => void) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#options = options;
    this.#log = log;
    this.#onClosed = onClosed;
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('message', (data, isBinary) => this.#receive(isBinary ? null : data.toString()));
    socket.on('close', () => this.#cleanup());
    socket.on('error', () => this.#cleanup());
    // An app's own channel hears nothing of the user's (Bitrix24: app channels carry only the app's events).
    this.#subscription = options.listener.application
      ? { ready: Promise.resolve({ seq: 0 }), close: () => {} }
      : ctx.realtime.subscribe(options.listener.memberId, { deliver: (events) => this.#deliver(events) }, options.afterSeq);
    this.#subscription.ready.then(
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
    const untilExpiry = Math.max(0, options.listener.expiresAt - ctx.now());
    this.#expiry = setTimeout(() => this.expire(), Math.min(untilExpiry, 2 ** 31 - 1));
    this.#expiry.unref();
    if (options.jsonRpc) {
      this.#textPing = setInterval(() => this.#sendText(JSON_RPC_PING), ctx.limits.pullJsonRpcPingMs);
      this.#textPing.unref();
      // The SDK arms its stuck timer on each ping: the first comes at once.
      this.#sendText(JSON_RPC_PING);
    }
  }

  #sendText(text: string): void {
    if (!this.#closed && this.#socket.readyState === OPEN) this.#socket.send(text);
  }

  #deliver(events: readonly StoredEvent[]): void {
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

  /** The keepalive tick: drops a socket that missed the last ping and pings the others; false when dropped. */
  heartbeat(): boolean {
    if (this.#closed) return false;
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
    clearTimeout(this.#expiry);
    clearInterval(this.#textPing);
    this.#subscription.close();
    this.#onClosed();
    this.#log.debug({ memberId: this.#options.listener.memberId }, 'pull socket closed');
  }
}
