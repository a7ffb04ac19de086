import { RealtimeClientMessage, RealtimeCloseCode, type RealtimeError, type RealtimeServerMessage } from '@multidesk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { Value } from 'typebox/value';
import type { WebSocket } from 'ws';
import type { PortalContext } from '../http/context.ts';
import { authenticate } from '../rest/auth.ts';
import { RestFailure } from '../rest/envelope.ts';
import type { Portal } from '../store/schema.ts';
import type { Subscription } from './hub.ts';

const OPEN = 1;

type ErrorCode = RealtimeError['error'];

/**
 * One client's socket: waits for `auth` (the token never travels in the URL), subscribes the member
 * to the hub, answers `ping`, and ends with 4401 when the token is bad, expires or is revoked.
 */
export class RealtimeConnection {
  readonly #socket: WebSocket;
  readonly #ctx: PortalContext;
  readonly #portal: Portal;
  readonly #log: FastifyBaseLogger;
  #state: 'waiting' | 'authenticating' | 'open' | 'closed' = 'waiting';
  #token = '';
  #subscription: Subscription | null = null;
  #alive = true;
  readonly #authTimer: NodeJS.Timeout;
  readonly #onClosed: () => void;

  constructor(socket: WebSocket, ctx: PortalContext, portal: Portal, log: FastifyBaseLogger, onClosed: () => void) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#portal = portal;
    this.#log = log;
    this.#onClosed = onClosed;
    this.#authTimer = setTimeout(
      () => this.#fail('auth_timeout', RealtimeCloseCode.authTimeout, 'Send auth first.'),
      ctx.limits.realtimeAuthTimeoutMs,
    );
    socket.on('message', (data, isBinary) => {
      void this.#onMessage(isBinary ? null : data.toString()).catch((err: unknown) => {
        this.#log.error({ err }, 'realtime message failed');
        this.close(1011, 'Internal Server Error');
      });
    });
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('close', () => this.#cleanup());
  }

  /** The keepalive tick: drop a socket that missed the last ping, ping the others, re-check the token. */
  async tick(): Promise<void> {
    if (this.#state === 'closed') return;
    if (!this.#alive) {
      this.#socket.terminate();
      this.#cleanup();
      return;
    }
    this.#alive = false;
    this.#socket.ping();
    if (this.#state === 'open') await this.#checkToken();
  }

  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#socket.close(code, reason);
    this.#cleanup();
  }

  #send(message: RealtimeServerMessage): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(JSON.stringify(message));
  }

  #fail(error: ErrorCode, code: number, description: string): void {
    if (this.#state === 'closed') return;
    this.#send({ type: 'error', error, error_description: description });
    this.close(code, error);
  }

  async #onMessage(text: string | null): Promise<void> {
    if (this.#state === 'closed') return;
    let message: unknown;
    try {
      message = text === null ? undefined : JSON.parse(text);
    } catch {}
    if (!Value.Check(RealtimeClientMessage, message)) {
      this.#fail('invalid_message', RealtimeCloseCode.invalidMessage, 'Messages are JSON objects of this protocol: auth, then ping.');
      return;
    }
    if (message.type === 'ping') {
      this.#send({ type: 'pong' });
      return;
    }
    if (this.#state !== 'waiting') {
      this.#fail('invalid_message', RealtimeCloseCode.invalidMessage, 'auth is sent once.');
      return;
    }
    this.#state = 'authenticating';
    clearTimeout(this.#authTimer);
    this.#token = message.access_token;
    const memberId = await this.#authenticate();
    if (memberId === null || this.#state !== 'authenticating') return;
    this.#state = 'open';
    this.#subscription = this.#ctx.realtime.subscribe(
      memberId,
      { send: (data) => this.#socket.readyState === OPEN && this.#socket.send(data) },
      message.last_seq,
    );
  }

  /** The member the token acts for, or null after failing the connection. */
  async #authenticate(): Promise<number | null> {
    try {
      const auth = await authenticate(this.#ctx, this.#portal, { kind: 'token', token: this.#token });
      return auth.memberId;
    } catch (error) {
      if (!(error instanceof RestFailure)) throw error;
      const code = error.code === 'expired_token' ? 'expired_token' : 'invalid_token';
      this.#fail(code, RealtimeCloseCode.invalidToken, error.message);
      return null;
    }
  }

  async #checkToken(): Promise<void> {
    await this.#authenticate();
  }

  #cleanup(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#authTimer);
    this.#subscription?.close();
    this.#subscription = null;
    this.#onClosed();
  }
}
