import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { databaseVersion, openDatabase } from '../src/store/database.ts';
import { ReadCache } from '../src/store/readCache.ts';
import { mayChangeKeptReads } from '../src/store/sqliteDialect.ts';

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

  test('stays with writes to chats, messages, tasks and the realtime log, in a transaction too: no kept read is made from them', async () => {
    const start = version();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ text: 'x' }).where('id', '=', -1).execute();
      await trx.updateTable('chat_members').set({ last_read_message_id: 0 }).where('chat_id', '=', -1).execute();
      await trx.deleteFrom('realtime_events').where('member_id', '=', -1).execute();
    });
    assert.equal(version(), start);
    // The same transaction with one write elsewhere moves it.
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ text: 'x' }).where('id', '=', -1).execute();
      await trx.updateTable('members').set({ active: 1 }).where('id', '=', -1).execute();
    });
    assert.notEqual(version(), start);
  });

  test('counts as a change anything but reads, transaction control and writes to those tables', () => {
    for (const sql of [
      'select * from "messages"',
      'begin',
      'commit',
      'rollback',
      'insert into "messages" ("text") values (?)',
      'update "chats" set "x" = ?',
      'delete from "realtime_events" where 1',
    ]) {
      assert.equal(mayChangeKeptReads(sql), false, sql);
    }
    for (const sql of [
      'update "oauth_tokens" set "used_at" = ?',
      'update "token_families" set "revoked_at" = ?',
      'insert into "portals" ("name") values (?)',
      'delete from "webhooks" where "id" = ?',
      'update "messages_archive" set "x" = ?',
      'insert or replace into "members" ("id") values (?)',
      'with x as (select 1) insert into "messages" select * from x',
      'PRAGMA user_version = 3',
      'create table "t" ("id" integer)',
    ]) {
      assert.equal(mayChangeKeptReads(sql), true, sql);
    }
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
