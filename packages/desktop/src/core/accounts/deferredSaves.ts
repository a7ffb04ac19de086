/**
 * Writes to accounts' caches put off until a burst of changes is over. The cache is a SQLite file
 * with `synchronous = FULL` (the outbox must survive a power cut), so every write waits for the
 * disk (milliseconds, tens at worst): done per realtime event it would hold the event loop, and the
 * next message's way to the windows, for as long. What is put off here is only what a restart uses
 * before the portal answers again (kept lists, pages, counts, where the realtime link resumes), never
 * what the UI was told is saved. A crash loses at most the last `delayMs` of it, which the portal
 * gives again (a resumed link replays from the older mark; applying an event twice changes nothing).
 */
export class DeferredSaves {
  readonly #delayMs: number;
  readonly #save: (group: string, keys: ReadonlySet<string>) => void;
  /** Keys (by group: an account, usually) changed since they were last saved. */
  readonly #unsaved = new Map<string, Set<string>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(delayMs: number, save: (group: string, keys: ReadonlySet<string>) => void) {
    this.#delayMs = delayMs;
    this.#save = save;
  }

  /** `key` of `group` changed: it is saved `delayMs` after the first change of a burst. */
  mark(group: string, key: string): void {
    this.#unsaved.set(group, (this.#unsaved.get(group) ?? new Set()).add(key));
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
    for (const [group, keys] of unsaved) this.#save(group, keys);
  }

  /** Saves what is left; later changes are not saved. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
