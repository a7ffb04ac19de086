import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openDatabase } from '../src/store/database.ts';
import * as initial from '../src/store/migrations/2026-11-25T00-initial.ts';
import * as qrRequests from '../src/store/migrations/2026-11-25T01-qr-requests.ts';
import * as sso from '../src/store/migrations/2026-11-25T02-sso.ts';
import * as chats from '../src/store/migrations/2026-11-25T03-chats.ts';
import * as tasks from '../src/store/migrations/2026-11-25T04-tasks.ts';
import * as codeFamily from '../src/store/migrations/2026-12-03T00-code-family.ts';
import * as oauthApps from '../src/store/migrations/2026-12-03T01-oauth-apps.ts';
import * as firstPartyPull from '../src/store/migrations/2026-12-03T02-first-party-pull.ts';
import * as unreadCounts from '../src/store/migrations/2026-12-06T00-unread-counts.ts';
import { createSqliteDialect } from '../src/store/sqliteDialect.ts';

/** A new SQLite file with no migration run, for `fn`; closed and removed after, whatever happens. */
async function withBareDatabase(fn: (db: Kysely<any>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  const db = new Kysely<any>({ dialect: createSqliteDialect(join(dir, 'x.sqlite')) });
  try {
    await fn(db);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the initial migration creates every table in WAL mode and its down removes them', async () => {
  await withBareDatabase(async (db) => {
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
  });
});

test('the QR requests migration adds its table after the initial one and its down removes only that', async () => {
  await withBareDatabase(async (db) => {
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
  });
});

test('the tasks migration adds tasks and task_members with their indexes and its down removes only those', async () => {
  await withBareDatabase(async (db) => {
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
  });
});

test('the SSO migration adds settings, identities and states with their indexes and its down removes only those', async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    await sso.up(db);
    const names = async (type: string) =>
      (
        await sql<{ name: string }>`select name from sqlite_master where type = ${type} and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name);
    for (const table of ['sso_settings', 'sso_identities', 'sso_states']) assert.ok((await names('table')).includes(table), table);
    for (const index of ['sso_identities_member', 'sso_states_expires']) assert.ok((await names('index')).includes(index), index);
    await db.insertInto('portals').values({ id: 1, name: 'a', title: 'A', member_id: 'm', created_at: 0 }).execute();
    await db.insertInto('users').values({ id: 1, email: 'a@x.io', password_hash: 'x', name: 'A', last_name: '', created_at: 0 }).execute();
    await db.insertInto('members').values({ id: 1, portal_id: 1, user_id: 1, role: 'user', created_at: 0 }).execute();
    const identity = { portal_id: 1, issuer: 'https://idp', subject: 's', member_id: 1, created_at: 0, last_login_at: 0 };
    await db.insertInto('sso_identities').values(identity).execute();
    await assert.rejects(db.insertInto('sso_identities').values(identity).execute(), /UNIQUE/, 'one link per issuer and subject');
    await sso.down(db);
    const left = await names('table');
    assert.equal(
      left.some((t) => t.startsWith('sso_')),
      false,
    );
    assert.equal(left.length, 9);
  });
});

test('the chats migration adds chats, members, messages and realtime events, keeps client ids unique per chat and author, and its down removes only those', async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    await chats.up(db);
    const names = async (type: string) =>
      (
        await sql<{ name: string }>`select name from sqlite_master where type = ${type} and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name);
    for (const table of ['chats', 'chat_members', 'messages', 'realtime_sequences', 'realtime_events']) {
      assert.ok((await names('table')).includes(table), table);
    }
    for (const index of ['chat_members_member', 'messages_chat_id', 'realtime_events_created']) {
      assert.ok((await names('index')).includes(index), index);
    }
    await db.insertInto('portals').values({ id: 1, name: 'a', title: 'A', member_id: 'm', created_at: 0 }).execute();
    await db.insertInto('users').values({ id: 1, email: 'a@x.io', password_hash: 'x', name: 'A', last_name: '', created_at: 0 }).execute();
    await db.insertInto('members').values({ id: 1, portal_id: 1, user_id: 1, role: 'user', created_at: 0 }).execute();
    await db
      .insertInto('chats')
      .values({ id: 1, portal_id: 1, type: 'chat', title: 'T', owner_member_id: 1, created_at: 0, updated_at: 0 })
      .execute();
    const message = { chat_id: 1, author_member_id: 1, text: 'hi', client_message_id: 'c1', created_at: 0 };
    await db.insertInto('messages').values(message).execute();
    await assert.rejects(db.insertInto('messages').values(message).execute(), /UNIQUE/, 'one message per client id');
    await db
      .insertInto('messages')
      .values([
        { ...message, client_message_id: null },
        { ...message, client_message_id: null },
      ])
      .execute();
    await chats.down(db);
    const left = await names('table');
    assert.equal(
      left.some((t) => ['chats', 'chat_members', 'messages', 'realtime_sequences', 'realtime_events'].includes(t)),
      false,
    );
    assert.equal(left.length, 9);
  });
});

test('the code-family migration adds oauth_codes.family_id and its down removes only that', async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    const columns = async () =>
      (await sql<{ name: string }>`select name from pragma_table_info('oauth_codes') order by cid`.execute(db)).rows.map((r) => r.name);
    const before = await columns();
    await codeFamily.up(db);
    assert.deepEqual(await columns(), [...before, 'family_id']);
    await codeFamily.down(db);
    assert.deepEqual(await columns(), before);
  });
});

test('the OAuth apps migration adds oauth_apps with a unique client id, and its down removes only that', async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    await oauthApps.up(db);
    await db.insertInto('portals').values({ id: 1, name: 'a', title: 'A', member_id: 'm', created_at: 0 }).execute();
    const app = {
      portal_id: 1,
      client_id: 'local.1.2',
      secret_hash: 'h',
      title: 'T',
      redirect_uri: 'https://x.io/cb',
      scopes: 'im',
      created_at: 0,
    };
    await db.insertInto('oauth_apps').values(app).execute();
    await assert.rejects(db.insertInto('oauth_apps').values(app).execute(), /UNIQUE/, 'one app per client id');
    await oauthApps.down(db);
    const left = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db))
      .rows;
    assert.equal(left.length, 9);
  });
});

test('the first-party pull migration adds pull_channel to the desktop sign-ins only, once', async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    await db.insertInto('portals').values({ id: 1, name: 'a', title: 'A', member_id: 'm', created_at: 0 }).execute();
    await db.insertInto('users').values({ id: 1, email: 'a@x.io', password_hash: 'x', name: 'A', last_name: '', created_at: 0 }).execute();
    await db.insertInto('members').values({ id: 1, portal_id: 1, user_id: 1, role: 'user', created_at: 0 }).execute();
    const family = { portal_id: 1, member_id: 1, device_name: 'd', ip: '', user_agent: '', created_at: 0, last_used_at: 0 };
    await db
      .insertInto('token_families')
      .values([
        { ...family, client_id: 'multidesk-desktop', scope: 'user,im' },
        { ...family, client_id: 'local.1.2', scope: 'user,im' },
      ])
      .execute();
    await firstPartyPull.up(db);
    await firstPartyPull.up(db);
    const scopes = (await db.selectFrom('token_families').select(['client_id', 'scope']).orderBy('id').execute()).map((r) => r.scope);
    assert.deepEqual(scopes, ['user,im,pull_channel', 'user,im']);
    await firstPartyPull.down(db);
    assert.deepEqual(
      (await db.selectFrom('token_families').select('scope').orderBy('id').execute()).map((r) => r.scope),
      ['user,im', 'user,im'],
    );
  });
});

test("the unread-counts migration fills each member's count as the messages give it, and its down removes only that", async () => {
  await withBareDatabase(async (db) => {
    await initial.up(db);
    await chats.up(db);
    await db.insertInto('portals').values({ id: 1, name: 'a', title: 'A', member_id: 'm', created_at: 0 }).execute();
    for (const id of [1, 2, 3]) {
      await db
        .insertInto('users')
        .values({ id, email: `${id}@x.io`, password_hash: 'x', name: 'A', last_name: '', created_at: 0 })
        .execute();
      await db.insertInto('members').values({ id, portal_id: 1, user_id: id, role: 'user', created_at: 0 }).execute();
    }
    await db
      .insertInto('chats')
      .values({ id: 1, portal_id: 1, type: 'chat', title: 'T', owner_member_id: 1, created_at: 0, updated_at: 0 })
      .execute();
    // Messages 1 and 2 by member 1, 3 by member 2 (deleted), 4 by member 3.
    for (const [id, author, deleted] of [
      [1, 1, null],
      [2, 1, null],
      [3, 2, 5],
      [4, 3, null],
    ] as const) {
      await db
        .insertInto('messages')
        .values({ id, chat_id: 1, author_member_id: author, text: 'x', client_message_id: null, created_at: 0, deleted_at: deleted })
        .execute();
    }
    await db
      .insertInto('chat_members')
      .values([
        { chat_id: 1, member_id: 1, last_read_message_id: 4, joined_at: 0 },
        { chat_id: 1, member_id: 2, last_read_message_id: 1, joined_at: 0 },
        { chat_id: 1, member_id: 3, last_read_message_id: 0, joined_at: 0 },
      ])
      .execute();
    await unreadCounts.up(db);
    const counts = await db.selectFrom('chat_members').select(['member_id', 'unread_count']).orderBy('member_id').execute();
    // 1 read everything; 2 has 2 and 4 after its mark; 3 has 1 and 2 (3 is deleted, 4 is its own).
    assert.deepEqual(
      counts.map((r) => [r.member_id, r.unread_count]),
      [
        [1, 0],
        [2, 2],
        [3, 2],
      ],
    );
    const columns = async () =>
      (await sql<{ name: string }>`select name from pragma_table_info('chat_members') order by cid`.execute(db)).rows.map((r) => r.name);
    await unreadCounts.down(db);
    assert.deepEqual(await columns(), ['chat_id', 'member_id', 'last_read_message_id', 'joined_at']);
  });
});

test('opening a database twice runs each migration once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    await (await openDatabase(dir)).destroy();
    const db = await openDatabase(dir);
    const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    assert.deepEqual(
      ran.rows.map((r) => r.name),
      [
        '2026-11-25T00-initial',
        '2026-11-25T01-qr-requests',
        '2026-11-25T02-sso',
        '2026-11-25T03-chats',
        '2026-11-25T04-tasks',
        '2026-12-03T00-code-family',
        '2026-12-03T01-oauth-apps',
        '2026-12-03T02-first-party-pull',
        '2026-12-03T03-pull',
        '2026-12-06T00-unread-counts',
      ],
    );
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database that ran a later-named migration still takes an earlier-named one that arrived after it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-migrate-'));
  try {
    const first = await openDatabase(dir);
    // As if this database had been migrated before the SSO migration existed.
    await sso.down(first);
    await sql`delete from kysely_migration where name = '2026-11-25T02-sso'`.execute(first);
    await first.destroy();
    const db = await openDatabase(dir);
    const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    assert.ok(ran.rows.some((r) => r.name === '2026-11-25T02-sso'));
    await db.selectFrom('sso_settings').selectAll().execute();
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
