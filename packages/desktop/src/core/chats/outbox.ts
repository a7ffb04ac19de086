import type { DatabaseSync } from 'node:sqlite';
import type { SendRefusal } from '@multidesk/protocol';

/** A message written on this computer that the portal has not accepted yet. */
export interface OutboxEntry {
  clientId: string;
  dialogId: string;
  text: string;
  /** When it was written (epoch ms). */
  createdAt: number;
  /** Why the portal refused it for good (not a member, too long…); null while it is still to be sent. */
  error: SendRefusal | null;
}

interface OutboxRow {
  client_id: string;
  dialog_id: string;
  text: string;
  created_at: number;
  /** The refusal's words; not null exactly when the message was refused. */
  error: string | null;
  /** Its code (null in a row saved before codes were kept). */
  error_code: string | null;
}

const toEntry = (row: OutboxRow): OutboxEntry => ({
  clientId: row.client_id,
  dialogId: row.dialog_id,
  text: row.text,
  createdAt: row.created_at,
  error: row.error === null ? null : { code: row.error_code ?? '', message: row.error },
});

/**
 * One account's messages waiting to be sent, in the order they were written, in the account's
 * cache database. A row is written (and synced) before the UI hears "queued" and removed only
 * after the portal has answered, so a crash in between resends under the same client id, which
 * the portal answers with the message it already has: sent exactly once.
 */
export class Outbox {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      client_id TEXT NOT NULL UNIQUE,
      dialog_id TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      error TEXT,
      error_code TEXT
    )`);
    // An outbox made before refusals kept their code: its rows keep the words alone.
    const columns = db.prepare('PRAGMA table_info(outbox)').all() as unknown as { name: string }[];
    if (!columns.some((column) => column.name === 'error_code')) db.exec('ALTER TABLE outbox ADD COLUMN error_code TEXT');
  }

  add(entry: Omit<OutboxEntry, 'error'>): void {
    this.#db
      .prepare('INSERT INTO outbox (client_id, dialog_id, text, created_at) VALUES (?, ?, ?, ?)')
      .run(entry.clientId, entry.dialogId, entry.text, entry.createdAt);
  }

  /** The oldest message still to be sent (failed ones wait for Retry). */
  next(): OutboxEntry | null {
    const row = this.#db.prepare('SELECT * FROM outbox WHERE error IS NULL ORDER BY seq LIMIT 1').get() as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Everything waiting, oldest first; one dialog's when given. */
  list(dialogId?: string): OutboxEntry[] {
    const rows =
      dialogId === undefined
        ? this.#db.prepare('SELECT * FROM outbox ORDER BY seq').all()
        : this.#db.prepare('SELECT * FROM outbox WHERE dialog_id = ? ORDER BY seq').all(dialogId);
    return (rows as unknown as OutboxRow[]).map(toEntry);
  }

  get(clientId: string): OutboxEntry | null {
    const row = this.#db.prepare('SELECT * FROM outbox WHERE client_id = ?').get(clientId) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Marks a message refused for good, or (error null) to be tried again. */
  setError(clientId: string, error: SendRefusal | null): void {
    this.#db
      .prepare('UPDATE outbox SET error = ?, error_code = ? WHERE client_id = ?')
      .run(error?.message ?? null, error?.code ?? null, clientId);
  }

  remove(clientId: string): void {
    this.#db.prepare('DELETE FROM outbox WHERE client_id = ?').run(clientId);
  }
}
