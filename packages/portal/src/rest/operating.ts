/**
 * Bitrix24's "operating" figure: seconds a user spent in one method during the current window
 * (10 minutes); clients such as the official SDK slow down as it nears the portal's limit.
 * In memory, per server process, like the request rate limit.
 */
export class OperatingMeter {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #usage = new Map<string, { ms: number; windowStart: number }>();

  constructor(now: () => number, windowMs = 600_000) {
    this.#now = now;
    this.#windowMs = windowMs;
  }

  /** Adds `ms` of processing to the key and returns the window's total and its reset time. */
  record(key: string, ms: number): { seconds: number; resetAt: number } {
    const now = this.#now();
    let usage = this.#usage.get(key);
    if (!usage || now - usage.windowStart >= this.#windowMs) {
      usage = { ms: 0, windowStart: now };
      this.#usage.set(key, usage);
      if (this.#usage.size > 100_000) this.#sweep(now);
    }
    usage.ms += ms;
    return { seconds: usage.ms / 1000, resetAt: usage.windowStart + this.#windowMs };
  }

  #sweep(now: number): void {
    for (const [key, usage] of this.#usage) {
      if (now - usage.windowStart >= this.#windowMs) this.#usage.delete(key);
    }
  }
}
