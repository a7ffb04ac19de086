import { type PullConfig, type PullMessage, parseJsonRpcFrame, parseNginxFrames } from '@multidesk/protocol';
import WebSocket from 'ws';
import { localhostLookup } from './localhostDispatcher.ts';
import { call } from './tokens.ts';

/** `pull.config.get` as `auth` (an access token) or through a webhook base URL; fails the test on an error. */
export async function pullConfig(credentials: { base: string; token: string } | { webhook: string }): Promise<PullConfig> {
  const url =
    'webhook' in credentials
      ? `${credentials.webhook}/pull.config.get`
      : `${credentials.base}/rest/pull.config.get?auth=${credentials.token}`;
  const reply = await call(url, { method: 'POST', body: new URLSearchParams({ CACHE: 'N' }) });
  if (reply.status !== 200) throw new Error(`pull.config.get answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.result as PullConfig;
}

/** The connection address the JS SDK builds (PullClient.getConnectionPath), for the WebSocket or long polling. */
export function pullUrl(config: PullConfig, options: { mid?: string | null; longPolling?: boolean; jsonRpc?: boolean } = {}): string {
  const base = options.longPolling ? config.server.long_polling : config.server.websocket;
  const query = new URLSearchParams();
  const jsonRpc = options.jsonRpc ?? config.server.version >= 5;
  if (jsonRpc && config.jwt) query.set('token', config.jwt);
  else query.set('CHANNEL_ID', [config.channels.private?.id, config.channels.shared?.id].filter(Boolean).join('/'));
  if (jsonRpc) query.set('jsonRpc', 'true');
  if (options.mid) query.set('mid', options.mid);
  query.set('revision', '19');
  return `${base}?${query}`;
}

/**
 * A real Push & Pull WebSocket client for tests: keeps every message it gets (either framing), in
 * order, with the raw text frames, and lets a test wait for the next ones or for the close.
 */
export class PullTestClient {
  readonly socket: WebSocket;
  readonly messages: PullMessage[] = [];
  readonly frames: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** v4 frames: the `id` of each message, in order (per channel, it grows by one per event). */
  readonly ids: number[] = [];
  #read = 0;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.socket = new WebSocket(url, { lookup: localhostLookup as never, ...options });
    this.socket.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      const json = parseJsonRpcFrame(text);
      if (json.kind === 'messages') this.messages.push(...json.messages);
      else {
        this.messages.push(...parseNginxFrames(text).messages);
        for (const match of text.matchAll(/#!NGINXNMS!#\{"id":(\d+)/g)) this.ids.push(Number(match[1]));
      }
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

  static async open(url: string, options: { autoPong?: boolean } = {}): Promise<PullTestClient> {
    const client = new PullTestClient(url, options);
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

  send(text: string): void {
    this.socket.send(text);
  }

  async next(timeoutMs = 5000): Promise<PullMessage> {
    const [message] = await this.take(1, timeoutMs);
    return message as PullMessage;
  }

  /** The next `count` messages not read yet. */
  async take(count: number, timeoutMs = 5000): Promise<PullMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < this.#read + count) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed after ${this.messages.length} messages`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} messages; got ${JSON.stringify(this.messages.slice(this.#read))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const taken = this.messages.slice(this.#read, this.#read + count);
    this.#read += count;
    return taken;
  }

  /** Waits briefly and returns what arrived unread (nothing, when a test expects silence). */
  async quiet(ms = 150): Promise<PullMessage[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const rest = this.messages.slice(this.#read);
    this.#read = this.messages.length;
    return rest;
  }

  close(): void {
    this.socket.close();
  }
}

/** `im/message` and the like: the command of each message. */
export const commandsOf = (messages: readonly PullMessage[]) => messages.map((m) => `${m.body.module_id}/${m.body.command}`);
