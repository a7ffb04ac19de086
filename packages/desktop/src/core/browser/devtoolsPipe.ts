import type { Readable, Writable } from 'node:stream';

/**
 * The DevTools protocol over the pipe a browser started with `--remote-debugging-pipe` reads (its
 * fd 3) and writes (its fd 4): JSON messages, each ended by a NUL byte. Only this process holds the
 * pipe, unlike a debugging port that any local program could reach; and when this process is gone
 * the pipe closes and the browser quits, so no window outlives a crashed core.
 */
export class DevToolsPipe {
  readonly #toBrowser: Writable;
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  #buffer = '';
  #closed = false;

  constructor(toBrowser: Writable, fromBrowser: Readable) {
    this.#toBrowser = toBrowser;
    toBrowser.on('error', () => this.#close());
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.#receive(chunk));
    fromBrowser.on('error', () => this.#close());
    fromBrowser.on('close', () => this.#close());
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf('\0'); end >= 0; end = this.#buffer.indexOf('\0')) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(text);
      } catch {
        continue;
      }
      // Events (no id) are not asked for, and not needed.
      const waiting = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiting || message.id === undefined) continue;
      this.#pending.delete(message.id);
      if (message.error) waiting.reject(new Error(message.error.message ?? 'DevTools error'));
      else waiting.resolve(message.result);
    }
  }

  #close(): void {
    this.#closed = true;
    for (const { reject } of this.#pending.values()) reject(new Error('the browser is gone'));
    this.#pending.clear();
  }

  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the browser is gone'));
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer from the browser`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#toBrowser.write(`${JSON.stringify({ id, method, params })}\0`);
    });
  }
}
