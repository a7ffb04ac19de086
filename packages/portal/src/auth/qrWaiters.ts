/**
 * Long polls waiting for a QR request to be decided, keyed by request id: approving or denying
 * wakes them at once. In process; with several instances a decision taken on another one arrives
 * through `SharedState.onQrDecided` (Redis), and a poll that is not woken still ends at its deadline
 * and reads the outcome from the database.
 */
export class QrWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();

  /**
   * Waits until `id` is decided (`notify`), `ms` pass, or `signal` aborts (the client went away,
   * or the caller no longer needs to wait). It is registered before this returns, so a decision
   * made while the caller re-reads the request is not missed. Never rejects; always unregisters.
   */
  wait(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiting.get(id);
      if (!waiters) {
        waiters = new Set();
        this.#waiting.set(id, waiters);
      }
      const set = waiters;
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        set.delete(finish);
        if (set.size === 0 && this.#waiting.get(id) === set) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      set.add(finish);
      if (signal?.aborted) finish();
      else signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Wakes every poll waiting for `id`. */
  notify(id: string): void {
    for (const finish of [...(this.#waiting.get(id) ?? [])]) finish();
  }

  /** Wakes every waiting poll (the server is shutting down: they answer now instead of holding it up). */
  notifyAll(): void {
    for (const id of [...this.#waiting.keys()]) this.notify(id);
  }

  /** How many polls are waiting, over all requests. */
  get size(): number {
    let count = 0;
    for (const set of this.#waiting.values()) count += set.size;
    return count;
  }
}
