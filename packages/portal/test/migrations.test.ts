import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openDatabase } from '../src/store/database.ts';
import * as initial from '../src/store/migrations/2026-11-25T00-initial.ts';
import * as qrRequests from '../src/store/migrations/2026-11-25T01-qr-requests.ts';
import * as tasks from '../src/store/migrations/2026-11-25T04-tasks.ts';
import { createSqliteDialect } from '../src/store/sqliteDialect.ts';

test('the initial migration creates every table in WAL mode and its down removes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    const db = new Kysely<any>({ dialect: createSqliteDialect(join(dir, 'x.sqlite')) });
    await initial.up(db);
    const tables = async () =>
      (
        await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name);
    assert.deepEqual(await tables(), [
      'members',
      'oauth_codes',
      'oauth_tokens',
      'portals',
      'recovery_codes',
      'token_families',
      'users',
      'web_sessions',
      'webhooks',
    ]);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    assert.equal(mode.rows[0]?.journal_mode, 'wal');
    await initial.down(db);
    assert.deepEqual(await tables(), []);
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the QR requests migration adds its table after the initial one and its down removes only that', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    const db = new Kysely<any>({ dialect: createSqliteDialect(join(dir, 'x.sqlite')) });
    await initial.up(db);
    await qrRequests.up(db);
    const tables = async () =>
      (
        await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name);
    assert.deepEqual(await tables(), [
      'members',
      'oauth_codes',
      'oauth_tokens',
      'portals',
      'qr_requests',
      'recovery_codes',
      'token_families',
      'users',
      'web_sessions',
      'webhooks',
    ]);
    await qrRequests.down(db);
    assert.equal((await tables()).includes('qr_requests'), false);
    assert.equal((await tables()).length, 9);
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tasks migration adds tasks and task_members with their indexes and its down removes only those', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    const db = new Kysely<any>({ dialect: createSqliteDialect(join(dir, 'x.sqlite')) });
    await initial.up(db);
    await tasks.up(db);
    const names = async (type: string) =>
      (
        await sql<{ name: string }>`select name from sqlite_master where type = ${type} and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name);
    assert.ok((await names('table')).includes('tasks'));
    assert.ok((await names('table')).includes('task_members'));
    for (const index of ['tasks_portal_responsible', 'tasks_portal_deadline', 'task_members_member']) {
      assert.ok((await names('index')).includes(index), index);
    }
    await tasks.down(db);
    const left = await names('table');
    assert.equal(left.includes('tasks') || left.includes('task_members'), false);
    assert.equal(left.length, 9);
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('opening a database twice runs each migration once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    await (await openDatabase(dir)).destroy();
    const db = await openDatabase(dir);
    const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    assert.deepEqual(
      ran.rows.map((r) => r.name),
      ['2026-11-25T00-initial', '2026-11-25T01-qr-requests', '2026-11-25T04-tasks'],
    );
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
