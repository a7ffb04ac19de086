import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Outbox } from '../chats/outbox.ts';

/**
 * The last known state of one account (its home, later its chats and tasks) in its own SQLite
 * file, so that a restart shows it at once and Delete removes it by removing one folder.
 */
export class AccountCache {
  readonly #db: DatabaseSync;
  /** Messages waiting to be sent: in the same file, so Delete removes them with the rest. */
  readonly outbox: Outbox;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.outbox = new Outbox(db);
  }

  static open(dir: string): AccountCache {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = new DatabaseSync(join(dir, 'cache.sqlite'));
    // synchronous = FULL: a message the UI was told is queued must survive a power cut.
    db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)',
    );
    return new AccountCache(db);
  }

  get<T>(key: string): { value: T; updatedAt: number } | null {
    const row = this.#db.prepare('SELECT value, updated_at FROM entries WHERE key = ?').get(key) as
      | { value: string; updated_at: number }
      | undefined;
    return row ? { value: JSON.parse(row.value) as T, updatedAt: row.updated_at } : null;
  }

  put(key: string, value: unknown, now: number): void {
    this.#db
      .prepare(
        'INSERT INTO entries (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, JSON.stringify(value), now);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Removes every cached file of the account. */
  static destroy(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
