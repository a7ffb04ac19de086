import type { RealtimeServerMessage } from '@multidesk/protocol';
import WebSocket from 'ws';
import { localhostLookup } from './localhostDispatcher.ts';

/**
 * A real WebSocket client of `/realtime` for tests: keeps every message it gets, in order, and lets
 * a test wait for the next ones or for the close.
 */
export class RealtimeTestClient {
  readonly socket: WebSocket;
  readonly received: RealtimeServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #read = 0;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.socket = new WebSocket(url, { lookup: localhostLookup as never, ...options });
    this.socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
    this.socket.on('error', () => {});
  }

  /** Opens `ws://<portal host>/realtime` (or `path`) and waits for the upgrade. */
  static async open(base: string, path = '/realtime', options: { autoPong?: boolean } = {}): Promise<RealtimeTestClient> {
    const client = new RealtimeTestClient(`${base.replace(/^http/, 'ws')}${path}`, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
      client.socket.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
    });
    return client;
  }

  /** Opens, authenticates, and waits for `ready`; returns the client and what came before `ready`. */
  static async connect(base: string, token: string, lastSeq?: number): Promise<RealtimeTestClient> {
    const client = await RealtimeTestClient.open(base);
    client.send({ type: 'auth', access_token: token, ...(lastSeq === undefined ? {} : { last_seq: lastSeq }) });
    await client.until((m) => m.type === 'ready');
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message not read yet. */
  async next(timeoutMs = 5000): Promise<RealtimeServerMessage> {
    const [message] = await this.take(1, timeoutMs);
    return message as RealtimeServerMessage;
  }

  /** The next `count` messages not read yet. */
  async take(count: number, timeoutMs = 5000): Promise<RealtimeServerMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < this.#read + count) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed after ${this.received.length} messages`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} messages; got ${JSON.stringify(this.received.slice(this.#read))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const taken = this.received.slice(this.#read, this.#read + count);
    this.#read += count;
    return taken;
  }

  /** Reads messages until one matches; returns those before it and the match. */
  async until(match: (m: RealtimeServerMessage) => boolean, timeoutMs = 5000): Promise<RealtimeServerMessage[]> {
    const taken: RealtimeServerMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      taken.push(message);
      if (match(message)) return taken;
    }
  }

  /** Waits briefly and returns what arrived unread (nothing, when a test expects silence). */
  async quiet(ms = 150): Promise<RealtimeServerMessage[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const rest = this.received.slice(this.#read);
    this.#read = this.received.length;
    return rest;
  }

  close(): void {
    this.socket.close();
  }
}

/** The `seq` of an event (control messages have none, or their own). */
export function seqOf(message: RealtimeServerMessage): number {
  return 'seq' in message ? message.seq : Number.NaN;
}
