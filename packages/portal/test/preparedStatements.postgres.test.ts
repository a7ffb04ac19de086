import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type Db, openDatabase } from '../src/store/database.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { postgresEngine } from './storeEngines.ts';

/**
 * On PostgreSQL the portal's prepared queries (store/preparedQuery.ts) are prepared on the server
 * under a name, once a connection, and no other SQL is; a connection whose statements another
 * instance's migration made stale is replaced after one failed query.
 */
const engine = postgresEngine();

describe('PostgreSQL keeps the prepared queries parsed and planned', { skip: engine.skip ?? false }, () => {
  let database: Awaited<ReturnType<typeof engine.create>>;
  /** One connection: what it has prepared can be read on it. */
  let db: Db;
  let other: Db;

  before(async () => {
    database = await engine.create();
    db = await openDatabase(database.location, { poolSize: 1 });
    other = await openDatabase(database.location);
    await other.insertInto('portals').values({ name: 'acme', title: 'Acme', member_id: 'test-member-id', created_at: 1 }).execute();
  });

  after(async () => {
    await db?.destroy();
    await other?.destroy();
    await database?.remove();
    engine.close();
  });

  const preparedHere = async () =>
    (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db)).rows;

  test('a prepared query is prepared under its name, once; SQL built for one call is not', async () => {
    assert.equal((await findPortalByName(db, 'acme'))?.title, 'Acme');
    assert.equal((await findPortalByName(db, 'acme'))?.title, 'Acme');
    await db.selectFrom('portals').select('id').where('name', 'in', ['acme', 'globex', 'initech']).execute();
    const statements = await preparedHere();
    const byName = statements.filter((s) => /from "portals" where "name" = \$1/.test(s.statement));
    assert.equal(byName.length, 1, JSON.stringify(statements));
    assert.match(byName[0]?.name ?? '', /^multidesk_\d+$/);
    assert.ok(!statements.some((s) => s.statement.includes(' in (')), 'a list of one call’s length is not kept on the server');
  });

  test('another instance changing the table fails one query, and the next runs on a fresh connection', async () => {
    await findPortalByName(db, 'acme');
    await sql`alter table portals add column bench_extra integer`.execute(other);
    try {
      await assert.rejects(findPortalByName(db, 'acme'), /cached plan must not change result type/);
      assert.equal((await findPortalByName(db, 'acme'))?.title, 'Acme');
      assert.equal((await findPortalByName(db, 'acme'))?.title, 'Acme');
    } finally {
      await sql`alter table portals drop column bench_extra`.execute(other);
    }
  });
});
