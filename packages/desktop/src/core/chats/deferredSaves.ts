/**
 * Writes to accounts' caches put off until a burst of changes is over. The cache is a SQLite file
 * with `synchronous = FULL` (the outbox must survive a power cut), so every write waits for the
 * disk: done per realtime event it would hold the event loop, and each message's way to the
 * windows, for as long. What is put off here is only what a restart shows before the portal answers
 * again (kept lists, pages, counts), never what the UI was told is saved.
 */
export class DeferredSaves {
  readonly #delayMs: number;
  readonly #save: (accountId: string, keys: ReadonlySet<string>) => void;
  /** Keys (by account) changed since they were last saved. */
  readonly #unsaved = new Map<string, Set<string>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(delayMs: number, save: (accountId: string, keys: ReadonlySet<string>) => void) {
    this.#delayMs = delayMs;
    this.#save = save;
  }

  /** `key` of the account changed: it is saved `delayMs` after the first change of a burst. */
  mark(accountId: string, key: string): void {
    this.#unsaved.set(accountId, (this.#unsaved.get(accountId) ?? new Set()).add(key));
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => this.flush(), this.#delayMs);
    this.#timer.unref();
  }

  /** Saves everything changed now. An account deleted meanwhile (its cache gone with it) is skipped by `save`. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const unsaved = [...this.#unsaved];
    this.#unsaved.clear();
    for (const [accountId, keys] of unsaved) this.#save(accountId, keys);
  }

  /** Saves what is left; later changes are not saved. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
