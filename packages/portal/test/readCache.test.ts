import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { databaseVersion, openDatabase } from '../src/store/database.ts';
import { ReadCache } from '../src/store/readCache.ts';

describe('ReadCache', () => {
  const clock = { ms: 0, now: () => clock.ms };

  test('keeps what was read while the version stays and the TTL has not passed', () => {
    let version = 1;
    const cache = new ReadCache<string>(() => version, clock.now, 1000);
    cache.set('a', 'A', cache.version());
    assert.equal(cache.get('a'), 'A');
    clock.ms += 999;
    assert.equal(cache.get('a'), 'A');
    clock.ms += 1;
    assert.equal(cache.get('a'), undefined, 'the TTL is over');
    cache.set('a', 'A', cache.version());
    version++;
    assert.equal(cache.get('a'), undefined, 'the database changed');
  });

  test('drops a read that a write overtook while it was under way', () => {
    let version = 1;
    const cache = new ReadCache<string>(() => version, clock.now, 1000);
    const before = cache.version();
    version++;
    cache.set('a', 'A', before);
    assert.equal(cache.get('a'), undefined);
  });

  test('keeps nothing without a version, or with a TTL of 0', () => {
    for (const cache of [new ReadCache<string>(null, clock.now, 1000), new ReadCache<string>(() => 1, clock.now, 0)]) {
      cache.set('a', 'A', cache.version());
      assert.equal(cache.get('a'), undefined);
    }
  });

  test('holds at most maxEntries', () => {
    const cache = new ReadCache<number>(() => 1, clock.now, 1000, 3);
    for (let i = 0; i < 4; i++) cache.set(String(i), i, 1);
    assert.equal(cache.get('3'), 3);
    assert.equal(cache.get('0'), undefined);
  });
});

describe('the database version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-version-'));
  const db = await openDatabase(dir);
  const other = await openDatabase(dir);
  after(async () => {
    await db.destroy();
    await other.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const version = databaseVersion(db)!;
  const write = (executor: typeof db, name: string) =>
    executor.insertInto('portals').values({ name, title: name, member_id: name, created_at: 0 }).execute();

  test('stays while the database is only read', async () => {
    const start = version();
    await db.selectFrom('portals').selectAll().execute();
    await nextTurn();
    assert.equal(version(), start);
  });

  test('moves with a write through this connection, even one rolled back', async () => {
    let start = version();
    await write(db, 'one');
    assert.notEqual(version(), start);
    start = version();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await write(trx, 'two');
        throw new Error('roll back');
      }),
    );
    assert.notEqual(version(), start);
  });

  test("moves with another connection's commit, by the next turn of the event loop", async () => {
    const start = version();
    await write(other, 'three');
    await nextTurn();
    assert.notEqual(version(), start);
  });

  test('is null for a database openDatabase did not open', () => {
    assert.equal(databaseVersion({} as typeof db), null);
  });
});
