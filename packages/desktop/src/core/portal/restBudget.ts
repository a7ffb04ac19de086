/**
 * Whose call it is: `interactive` is someone looking at the screen (a chat opening, a task saved),
 * `background` is work nobody waits on (the outbox, polling, counters, the Pull config).
 */
export type CallPriority = 'interactive' | 'background';

/** Bitrix24 cloud's leaky bucket on every plan but Enterprise (PROTOCOL.md §2.5). */
export const DEFAULT_BURST = 50;
export const DEFAULT_DRAIN_PER_SECOND = 2;
/** 429 OPERATION_TIME_LIMIT without a reset time: wait this long. */
const DEFAULT_PAUSE_MS = 60_000;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The client's copy of a portal's leaky bucket, shared by all of that portal's work (Bitrix24
 * counts per portal): a call goes out only when the bucket has room, interactive calls before
 * background ones, so a busy outbox never starves a chat the user is opening. A 503
 * QUERY_LIMIT_EXCEEDED says the portal's bucket is full whatever ours counted (another client
 * shares it): ours is filled, and calls then go at the drain rate. A 429 OPERATION_TIME_LIMIT
 * pauses everything until the portal's `operating_reset_at`.
 */
export class RestBudget {
  readonly #burst: number;
  readonly #drainPerMs: number;
  readonly #now: () => number;
  #level = 0;
  #at: number;
  #pausedUntil = 0;
  readonly #queues: Record<CallPriority, Waiter[]> = { interactive: [], background: [] };
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { burst?: number; drainPerSecond?: number; now?: () => number } = {}) {
    this.#burst = options.burst ?? DEFAULT_BURST;
    this.#drainPerMs = (options.drainPerSecond ?? DEFAULT_DRAIN_PER_SECOND) / 1000;
    this.#now = options.now ?? Date.now;
    this.#at = this.#now();
  }

  /** Calls waiting for room, by priority (for tests and the benchmark). */
  get waiting(): Record<CallPriority, number> {
    return { interactive: this.#queues.interactive.length, background: this.#queues.background.length };
  }

  /** Resolves when a call may go out; rejects if `signal` aborts first. */
  acquire(priority: CallPriority, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const queue = this.#queues[priority];
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queues[priority].push(waiter);
      this.#pump();
    });
  }

  /**
   * A call that never reached the portal (it is down, or unknown) cost it nothing: its slot is
   * given back, so that retries while a portal is away do not leave its bucket full when it returns.
   */
  refund(): void {
    this.#drain();
    this.#level = Math.max(0, this.#level - 1);
    this.#pump();
  }

  /** The portal answered 503 QUERY_LIMIT_EXCEEDED: its bucket is full. */
  overflowed(): void {
    this.#drain();
    this.#level = this.#burst;
  }

  /** The portal answered 429 OPERATION_TIME_LIMIT: nothing goes out before `resetAt` (epoch ms). */
  pauseUntil(resetAt: number | undefined): void {
    const until = resetAt !== undefined && resetAt > this.#now() ? resetAt : this.#now() + DEFAULT_PAUSE_MS;
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  #drain(): void {
    const now = this.#now();
    this.#level = Math.max(0, this.#level - (now - this.#at) * this.#drainPerMs);
    this.#at = now;
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#drain();
    for (;;) {
      const queue = this.#queues.interactive.length > 0 ? this.#queues.interactive : this.#queues.background;
      const next = queue[0];
      if (!next) return;
      const now = this.#now();
      const wait = Math.max(
        this.#pausedUntil - now,
        this.#level + 1 > this.#burst ? (this.#level + 1 - this.#burst) / this.#drainPerMs : 0,
      );
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#pump(), Math.ceil(wait));
        this.#timer.unref();
        return;
      }
      queue.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      this.#level += 1;
      next.resolve();
    }
  }
}

/** One budget per portal address, whichever accounts use it. */
export class RestBudgets {
  readonly #byOrigin = new Map<string, RestBudget>();
  readonly #options: ConstructorParameters<typeof RestBudget>[0];

  constructor(options: ConstructorParameters<typeof RestBudget>[0] = {}) {
    this.#options = options;
  }

  of(origin: string): RestBudget {
    let budget = this.#byOrigin.get(origin);
    if (!budget) {
      budget = new RestBudget(this.#options);
      this.#byOrigin.set(origin, budget);
    }
    return budget;
  }
}
