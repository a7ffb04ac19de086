import { type Compilable, type CompiledQuery, createQueryId, type QueryResult } from 'kysely';
import type { Executor } from './schema.ts';

/** Where a parameter goes in a prepared query: replaced by the call's value when it runs. */
class Slot {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }
}

/** An adapter whose database keeps a statement parsed and planned when told its SQL (PostgreSQL's). */
export interface StatementPreparing {
  prepareStatement(sql: string): void;
}

const prepares = (adapter: object): adapter is StatementPreparing => 'prepareStatement' in adapter;

/** The parameters as the query builder sees them: one placeholder each, typed as its value. */
export type Placeholders<P> = { readonly [K in keyof P]: P[K] };

/**
 * A query whose SQL is the same on every call, built and compiled once for each database rather
 * than on every call: Kysely makes the query's tree and writes its SQL each time, about 15 µs a
 * statement, a fifth of the portal's work for a message (`--cpu-prof`, bench/unread.ts).
 * `build` gets placeholders for the parameters and must not look at them: it runs once, with no
 * values, so anything whose shape depends on a value (a list for `in`, an optional clause) cannot
 * be prepared. Every parameter must be given (`null`, never `undefined`). On PostgreSQL the server
 * keeps it parsed and planned too (postgresDialect.ts).
 */
export function prepared<P extends Record<string, unknown>, R>(
  build: (db: Executor, p: Placeholders<P>) => Compilable<R>,
): (db: Executor, params: P) => Promise<QueryResult<R>> {
  // Keyed by the database's adapter: SQLite and PostgreSQL write different SQL, and a transaction
  // shares its database's adapter. Weak: a database that is closed and dropped takes its queries along.
  const byAdapter = new WeakMap<object, CompiledQuery>();
  const placeholders = new Proxy({} as Placeholders<P>, { get: (_, name) => new Slot(String(name)) });

  return (db, params) => {
    const adapter = db.getExecutor().adapter;
    let compiled = byAdapter.get(adapter);
    if (!compiled) {
      compiled = build(db, placeholders).compile() as CompiledQuery;
      byAdapter.set(adapter, compiled);
      if (prepares(adapter)) adapter.prepareStatement(compiled.sql);
    }
    // Each of the compiled parameters is a placeholder, replaced by the call's value, or a constant.
    const parameters = compiled.parameters.map((value) => (value instanceof Slot ? params[value.name] : value));
    return db.executeQuery({ ...compiled, parameters, queryId: createQueryId() } as CompiledQuery<R>);
  };
}
