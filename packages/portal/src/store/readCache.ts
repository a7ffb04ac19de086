/**
 * Reads from the database kept in memory for the hot path (the portal of a Host header, what a
 * credential authenticates as), used only while they are certainly still true:
 * - nothing has been written to the database since they were read: every write moves the
 *   database's version (`databaseVersion`), whoever made it: this server (a revocation, a refresh
 *   token's rotation or reuse, a sign-out, a member's deactivation), the CLI, another process;
 * - and for at most `ttlMs` even then.
 * A read is stored with the version taken before it was made, so a write that lands while the read
 * is under way makes it stale at once. Without a version (a database not opened by
 * `openDatabase`, and PostgreSQL, where other instances write unseen) nothing is kept: a token
 * revoked through one instance is refused by every other at once, with no invalidation to send.
 * Failures are never stored: only what was found.
 */
export class ReadCache<V> {
  readonly #version: (() => number) | null;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { value: V; version: number; until: number }>();

  constructor(version: (() => number) | null, now: () => number, ttlMs: number, maxEntries = 10_000) {
    this.#version = ttlMs > 0 ? version : null;
    this.#now = now;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** What was read for `key`, if the database has not changed since and it is younger than the TTL. */
  get(key: string): V | undefined {
    if (!this.#version) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== this.#version() || entry.until <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** The database's version now: take it before reading, and give it to `set` with what was read. */
  version(): number {
    return this.#version ? this.#version() : Number.NaN;
  }

  set(key: string, value: V, version: number): void {
    if (!this.#version || version !== this.#version()) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, version, until: this.#now() + this.#ttlMs });
  }
}
