import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

/**
 * Kysely ships a dialect for better-sqlite3's API; node:sqlite is close but not identical
 * (spread parameters, no `reader` flag, no booleans). This adapter bridges the two so the
 * portal needs no native module.
 */
function toSqlValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`unsupported SQLite parameter of type ${typeof value}`);
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;
  /** Called before each run of a statement that may change kept reads (`mayChangeKeptReads`). */
  readonly #beforeWrite: (() => void) | null;

  constructor(statement: StatementSync, beforeWrite: (() => void) | null) {
    this.#statement = statement;
    this.reader = statement.columns().length > 0;
    this.#beforeWrite = beforeWrite;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    this.#beforeWrite?.();
    return this.#statement.all(...parameters.map(toSqlValue));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    this.#beforeWrite?.();
    return this.#statement.run(...parameters.map(toSqlValue));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    this.#beforeWrite?.();
    return this.#statement.iterate(...parameters.map(toSqlValue));
  }
}

/** Kysely's queries repeat with new parameters: preparing each SQL text once saves most of a query's cost. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Tables no read kept in memory (`ReadCache`: a Host's portal, what a credential authenticates as)
 * is made from: chats, messages, tasks and the realtime log. A chat writes to them with every
 * message, and each write would otherwise end every kept read: the next request of every client
 * would read its portal, token and member again.
 */
const CONTENT_TABLES = new Set([
  'messages',
  'chats',
  'chat_members',
  'tasks',
  'task_members',
  'realtime_events',
  'realtime_sequences',
  'im_event_subscriptions',
]);

/** The table a plain INSERT, UPDATE or DELETE writes (SQLite writes one; no triggers here). */
const WRITTEN_TABLE = /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?(\w+)"?[\s(]/i;

/**
 * Whether running `sql` may change a read kept in memory. Only plain SELECTs, transaction control
 * and writes to `CONTENT_TABLES` cannot; anything else (other tables, PRAGMA, WITH … INSERT) may.
 */
export function mayChangeKeptReads(sql: string): boolean {
  if (/^\s*(?:select|begin|commit|rollback|savepoint|release)\b/i.test(sql)) return false;
  const table = WRITTEN_TABLE.exec(sql)?.[1];
  return table === undefined || !CONTENT_TABLES.has(table.toLowerCase());
}

/**
 * One connection to the portal's database. Besides serving Kysely, it tells whether the database
 * may have changed since an earlier moment (`version()`), so that reads kept in memory
 * (`ReadCache`) are used only while nothing was written since they were read.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, NodeSqliteStatement>();
  readonly #dataVersion: StatementSync;
  readonly #countWrite = () => {
    this.#version++;
  };
  readonly #checkOthersAgain = () => {
    this.#otherChecked = false;
  };
  #version = 0;
  /** SQLite's `data_version`: changes when another connection commits (never for this one's own writes). */
  #otherVersion: unknown;
  #otherChecked = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#dataVersion = db.prepare('PRAGMA data_version');
    this.#dataVersion.setReturnArrays(true);
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement) {
      // Re-insert to keep the map in least-recently-used order.
      this.#statements.delete(sql);
    } else {
      statement = new NodeSqliteStatement(this.#db.prepare(sql), mayChangeKeptReads(sql) ? this.#countWrite : null);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value as string);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /**
   * A number that moves whenever what reads kept in memory were made from may have changed: before
   * any statement that may write it runs on this connection (inside a transaction too, even if it
   * rolls back; writes to `CONTENT_TABLES` do not count), and when another connection (the CLI,
   * another process) has committed any change. Equal numbers mean nothing they read was written in
   * between. Other connections' commits are looked for (SQLite's
   * `data_version`, a few microseconds) once a turn of the event loop: one is seen from the turn
   * after it at the latest.
   */
  version(): number {
    if (!this.#otherChecked) {
      this.#otherChecked = true;
      setImmediate(this.#checkOthersAgain);
      const other = (this.#dataVersion.get() as unknown as unknown[])[0];
      if (other !== this.#otherVersion) {
        this.#otherVersion = other;
        this.#version++;
      }
    }
    return this.#version;
  }

  close(): void {
    this.#db.close();
  }
}

/** `opened` receives the connection once Kysely opens it (on the first query). */
export function createSqliteDialect(file: string, opened?: (connection: NodeSqliteDatabase) => void): SqliteDialect {
  return new SqliteDialect({
    database: async () => {
      const db = new DatabaseSync(file);
      // WAL lets readers proceed during writes; busy_timeout covers a CLI writing while the server runs.
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
      const connection = new NodeSqliteDatabase(db);
      opened?.(connection);
      return connection;
    },
  });
}
