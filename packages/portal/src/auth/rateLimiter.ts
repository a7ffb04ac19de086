/**
 * Counts attempts per key in a sliding window (credential endpoints: per login and per IP).
 * In memory: one portal process owns its counters; a restart forgives, which is acceptable for
 * throttling (the hashes stay slow regardless).
 */
export class FailureLimiter implements AttemptLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #failures = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(max: number, windowMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when the key may try now. */
  retryAfter(key: string): number {
    const list = this.#recent(key);
    if (list.length < this.#max) return 0;
    const oldest = list[list.length - this.#max] as number;
    return Math.max(1, Math.ceil((oldest + this.#windowMs - this.#now()) / 1000));
  }

  /** Counts one attempt now and returns the function that takes it back (when it turned out right). */
  fail(key: string): () => void {
    const at = this.#now();
    const list = this.#recent(key);
    list.push(at);
    this.#failures.set(key, list);
    if (this.#failures.size > 100_000) this.#sweep();
    return () => {
      const current = this.#failures.get(key);
      const index = current?.lastIndexOf(at) ?? -1;
      if (index >= 0) current?.splice(index, 1);
    };
  }

  /** Forgets keys whose failures have aged out, so that a spray of logins cannot grow the map without bound. */
  #sweep(): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key);
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  reserveAll(pairs: readonly (readonly [AttemptLimiter, string])[]): Attempt {
    const local = pairs as readonly (readonly [FailureLimiter, string])[];
    const retryAfter = Math.max(0, ...local.map(([limiter, key]) => limiter.retryAfter(key)));
    if (retryAfter > 0) return { ok: false, retryAfter };
    const releases = local.map(([limiter, key]) => limiter.fail(key));
    return {
      ok: true,
      release: () => {
        for (const release of releases) release();
      },
    };
  }
}

/**
 * Attempts counted per key in a sliding window: in this process (`FailureLimiter`) or shared by
 * every instance (`SharedState.attemptLimiter`, Redis with `serve --redis`).
 */
export interface AttemptLimiter {
  /** `reserveAttempt` over pairs whose limiters all share this one's backing. */
  reserveAll(pairs: readonly (readonly [AttemptLimiter, string])[]): Attempt | Promise<Attempt>;
  /** Forgets the key's attempts (a sign-in that succeeded). */
  reset(key: string): void | Promise<void>;
}

export function tooManyAttemptsText(retryAfter: number): string {
  return `Too many failed attempts. Try again in ${retryAfter} seconds.`;
}

/** An attempt counted before its check ran: `release` takes it back when the check passed. */
export type Attempt = { ok: true; release: () => void } | { ok: false; retryAfter: number };

/**
 * Reserves one attempt on every (limiter, key) pair at once, or none when any of them is spent.
 * The check and the count happen in one step, before the slow part (a password hash, a database
 * look-up) starts: parallel guesses cannot all pass a check made before any of them had failed.
 * In memory that step is synchronous; in Redis it is one script. The limiters share one backing.
 */
export function reserveAttempt(...pairs: [FailureLimiter, string][]): Attempt;
export function reserveAttempt(...pairs: [AttemptLimiter, string][]): Attempt | Promise<Attempt>;
export function reserveAttempt(...pairs: [AttemptLimiter, string][]): Attempt | Promise<Attempt> {
  const [first] = pairs;
  if (!first) throw new Error('reserveAttempt needs a limiter');
  return first[0].reserveAll(pairs);
}

/**
 * Bitrix24's REST limit is a leaky bucket: a burst of `capacity` requests, then `drainPerSecond`.
 * Returns false when the request must be refused with QUERY_LIMIT_EXCEEDED.
 */
export class LeakyBucket {
  readonly #capacity: number;
  readonly #drainPerMs: number;
  readonly #levels = new Map<string, { level: number; at: number }>();
  readonly #now: () => number;

  constructor(capacity: number, drainPerSecond: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#drainPerMs = drainPerSecond / 1000;
    this.#now = now;
  }

  take(key: string): boolean {
    const now = this.#now();
    const state = this.#levels.get(key) ?? { level: 0, at: now };
    const level = Math.max(0, state.level - (now - state.at) * this.#drainPerMs);
    if (level + 1 > this.#capacity) {
      this.#levels.set(key, { level, at: now });
      return false;
    }
    this.#levels.set(key, { level: level + 1, at: now });
    if (this.#levels.size > 100_000) this.#sweep(now);
    return true;
  }

  /** Drops drained buckets so that many distinct users cannot grow the map without bound. */
  #sweep(now: number): void {
    for (const [key, state] of this.#levels) {
      if (state.level - (now - state.at) * this.#drainPerMs <= 0) this.#levels.delete(key);
    }
  }
}
