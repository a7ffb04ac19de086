import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { addChatMembers, advanceReadMark, createChat, listMemberChats, unreadCount } from '../src/store/chats.ts';
import { DatabaseOpenError, type Db, migrationProvider, openDatabase } from '../src/store/database.ts';
import { confirmImEvents, findImEventSubscription, subscribeImEvents, unsubscribeImEvents } from '../src/store/imEventSubscriptions.ts';
import { addMember, listPortalsOfUser } from '../src/store/members.ts';
import { findMessage, historyOf, insertMessage, listMessages, markMessageDeleted } from '../src/store/messages.ts';
import { createPortal, findPortalByName } from '../src/store/portals.ts';
import { prepared } from '../src/store/preparedQuery.ts';
import { findCurrentPullChannel, insertPullChannel } from '../src/store/pullChannels.ts';
import { appendEvents, currentSeq, eventsAfter, eventsPage } from '../src/store/realtimeEvents.ts';
import type { Member, Portal, User } from '../src/store/schema.ts';
import { findPortalsBySsoDomain, saveSsoSettings } from '../src/store/sso.ts';
import { insertTask, listTasks, type TaskQuery } from '../src/store/tasks.ts';
import {
  consumeCode,
  createFamily,
  findReplayedCode,
  findToken,
  insertCode,
  insertToken,
  linkCodeToFamily,
  listActiveFamiliesOfUser,
  revokeFamily,
} from '../src/store/tokens.ts';
import { createUser, findUserByEmail } from '../src/store/users.ts';
import type { StoreEngine } from './storeEngines.ts';

/** A database of the engine under test, shared by the tests of one suite (each builds its own portal). */
export interface SuiteDb {
  engine: StoreEngine;
  db: () => Db;
}

export const NOW = 1_796_000_000_000;
const unique = () => randomBytes(5).toString('hex');

/** A portal of its own with two members, so that tests never see each other's rows. */
export async function world(db: Db): Promise<{ portal: Portal; users: [User, User]; members: [Member, Member] }> {
  const portal = await createPortal(db, `p${unique()}`, 'Portal', NOW);
  const user = (name: string) =>
    createUser(db, {
      email: `${name}-${unique()}@example.com`,
      password_hash: 'x',
      name,
      last_name: '',
      totp_secret: null,
      totp_last_step: null,
      created_at: NOW,
    });
  const users: [User, User] = [await user('anna'), await user('ben')];
  const members: [Member, Member] = [
    await addMember(db, portal.id, users[0].id, 'admin', NOW),
    await addMember(db, portal.id, users[1].id, 'user', NOW),
  ];
  return { portal, users, members };
}

/** Every repository behaves the same on every engine: the store's contract. */
export function storeContract({ engine, db }: SuiteDb): void {
  test('a second open of the same database runs no migration again', async () => {
    const created = await engine.create();
    try {
      const first = await openDatabase(created.location);
      const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(first);
      await first.destroy();
      const second = await openDatabase(created.location);
      const again = await sql<{ name: string }>`select name from kysely_migration`.execute(second);
      await second.destroy();
      assert.ok(ran.rows.length >= 9);
      assert.equal(again.rows.length, ran.rows.length);
    } finally {
      await created.remove();
    }
  });

  test('every migration goes down in reverse order, leaving no table, and up again', async () => {
    const created = await engine.create();
    try {
      const opened = await openDatabase(created.location);
      const tables = async () => (await opened.introspection.getTables()).map((t) => t.name).filter((name) => !name.startsWith('kysely_'));
      const before = await tables();
      const migrator = new Migrator({ db: opened, provider: migrationProvider, allowUnorderedMigrations: true });
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      assert.equal(down.error, undefined);
      assert.deepEqual(await tables(), []);
      const up = await migrator.migrateToLatest();
      assert.equal(up.error, undefined);
      assert.deepEqual((await tables()).sort(), before.sort());
      await opened.destroy();
    } finally {
      await created.remove();
    }
  });

  test('a database a newer version migrated further is refused, naming the migration it does not know', async () => {
    const created = await engine.create();
    try {
      const first = await openDatabase(created.location);
      await sql`insert into kysely_migration (name, timestamp) values ('2999-01-01T00-from-the-future', '2999-01-01T00:00:00.000Z')`.execute(
        first,
      );
      await first.destroy();
      await assert.rejects(openDatabase(created.location), (err: Error) => {
        assert.ok(err instanceof DatabaseOpenError);
        assert.match(err.message, /newer Multidesk \(migration 2999-01-01T00-from-the-future\)/);
        return true;
      });
    } finally {
      await created.remove();
    }
  });

  test('generated ids count up, times and counts come back as numbers', async () => {
    const { portal, members } = await world(db());
    assert.equal(typeof portal.id, 'number');
    assert.equal(portal.created_at, NOW);
    assert.equal(typeof members[0].created_at, 'number');
    assert.ok(members[1].id > members[0].id);
    const [row] = await db()
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('portal_id', '=', portal.id)
      .execute();
    assert.equal(row?.n, 2);
  });

  test('portal names and logins are unique; logins compare without case', async () => {
    const { portal, users } = await world(db());
    await assert.rejects(createPortal(db(), portal.name, 'Again', NOW));
    assert.equal((await findPortalByName(db(), portal.name))?.id, portal.id);
    assert.equal((await findUserByEmail(db(), users[0].email.toUpperCase()))?.id, users[0].id);
  });

  test('adding a member again changes the role and keeps one membership', async () => {
    const { portal, users, members } = await world(db());
    const again = await addMember(db(), portal.id, users[1].id, 'admin', NOW + 1);
    assert.equal(again.id, members[1].id);
    assert.equal(again.role, 'admin');
    assert.deepEqual(
      (await listPortalsOfUser(db(), users[1].id)).map((p) => p.member_id),
      [members[1].id],
    );
  });

  test('a code works once, not after it expires, and its replay names the sign-in it gave', async () => {
    const { portal, members } = await world(db());
    const code = { portalId: portal.id, memberId: members[0].id, clientId: 'c', codeChallenge: 'x', deviceName: 'd' };
    await insertCode(db(), { ...code, codeHash: 'h1', expiresAt: NOW + 60_000 });
    await insertCode(db(), { ...code, codeHash: 'h2', expiresAt: NOW - 1 });
    assert.equal((await consumeCode(db(), portal.id, 'h2', NOW))?.code_hash, undefined, 'expired');
    assert.equal((await consumeCode(db(), portal.id + 1, 'h1', NOW))?.code_hash, undefined, 'another portal');
    assert.equal((await consumeCode(db(), null, 'h1', NOW))?.code_hash, 'h1');
    assert.equal(await consumeCode(db(), portal.id, 'h1', NOW), undefined, 'used');
    const family = await createFamily(db(), familyOf(portal, members[0]));
    await linkCodeToFamily(db(), 'h1', family.id);
    assert.equal((await findReplayedCode(db(), portal.id, 'h1'))?.family_id, family.id);
  });

  test('revoking a sign-in drops its access tokens and keeps its refresh tokens as revoked', async () => {
    const { portal, users, members } = await world(db());
    const family = await createFamily(db(), familyOf(portal, members[0]));
    await insertToken(db(), `a${family.id}`, family.id, 'access', NOW + 3_600_000);
    await insertToken(db(), `r${family.id}`, family.id, 'refresh', NOW + 3_600_000);
    assert.equal((await listActiveFamiliesOfUser(db(), users[0].id, portal.id)).length, 1);
    await revokeFamily(db(), family.id, NOW);
    assert.equal(await findToken(db(), `a${family.id}`), undefined);
    assert.equal((await findToken(db(), `r${family.id}`))?.revoked_at, NOW);
    assert.equal((await listActiveFamiliesOfUser(db(), users[0].id, portal.id)).length, 0);
  });

  test('a retried send with the same client id finds the first message; messages without one are all kept', async () => {
    const { portal, members } = await world(db());
    const chat = await chatOf(db(), portal, members);
    const send = (clientMessageId: string | null, text = 'hi') =>
      insertMessage(db(), { chatId: chat.id, authorMemberId: members[0].id, text, clientMessageId, now: NOW });
    const first = await send('c1');
    const retry = await send('c1', 'other text');
    assert.equal(first.created, true);
    assert.deepEqual([retry.created, retry.message.id, retry.message.text], [false, first.message.id, 'hi']);
    assert.equal((await send(null)).created, true);
    assert.equal((await send(null)).created, true);
    assert.equal((await listMessages(db(), { chatId: chat.id, limit: 10 })).length, 3);
  });

  test('messages page back and forth by id, and the history counts unread ones from others', async () => {
    const { portal, members } = await world(db());
    const chat = await chatOf(db(), portal, members);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const author = members[i % 2 === 0 ? 1 : 0].id;
      ids.push(
        (await insertMessage(db(), { chatId: chat.id, authorMemberId: author, text: `m${i}`, clientMessageId: null, now: NOW })).message.id,
      );
    }
    const page = (query: { lastId?: number; firstId?: number }) =>
      listMessages(db(), { chatId: chat.id, limit: 2, ...query }).then((rows) => rows.map((m) => m.id));
    assert.deepEqual(await page({}), [ids[4], ids[3]]);
    assert.deepEqual(await page({ lastId: ids[3] as number }), [ids[2], ids[1]]);
    assert.deepEqual(await page({ firstId: 0 }), [ids[1], ids[0]]);
    assert.deepEqual(await historyOf(db(), chat.id, members[0].id, ids[0] as number), { count: 5, firstUnreadId: ids[2] });
  });

  test("a member's chats come newest first with unread counts, and a read mark never goes back", async () => {
    const { portal, members } = await world(db());
    const older = await chatOf(db(), portal, members, NOW);
    const newer = await chatOf(db(), portal, members, NOW + 10);
    const sent = await insertMessage(db(), { chatId: older.id, authorMemberId: members[1].id, text: 'x', clientMessageId: null, now: NOW });
    const chats = await listMemberChats(db(), { memberId: members[0].id });
    assert.deepEqual(
      chats.map((c) => [c.id, c.unread, c.user_count, c.last_message_id]),
      [
        [newer.id, 0, 2, 0],
        [older.id, 1, 2, sent.message.id],
      ],
    );
    assert.equal(await advanceReadMark(db(), older.id, members[0].id, sent.message.id), true);
    assert.equal(await advanceReadMark(db(), older.id, members[0].id, sent.message.id - 1), false);
    assert.equal(await unreadCount(db(), older.id, members[0].id), 0);
  });

  test("a prepared query is built once for a database, its transactions included, and runs with each call's values", async () => {
    let builds = 0;
    const query = prepared((d, p: { name: string }) => {
      builds++;
      return d.selectFrom('portals').select('title').where('name', '=', p.name);
    });
    const titleOf = async (d: Db, name: string) => (await query(d, { name })).rows.map((row) => row.title);
    const [a, b] = [await createPortal(db(), `p${unique()}`, 'A', NOW), await createPortal(db(), `p${unique()}`, 'B', NOW)];
    assert.deepEqual(await titleOf(db(), a.name), ['A']);
    assert.deepEqual(await titleOf(db(), b.name), ['B']);
    await db()
      .transaction()
      .execute(async (trx) => assert.deepEqual(await titleOf(trx, b.name), ['B']));
    assert.deepEqual(await titleOf(db(), 'none'), []);
    assert.equal(builds, 1);
  });

  test('the unread counts kept on the members equal counting the messages, through sends, reads, deletes and a new member', async () => {
    const { portal, members } = await world(db());
    const [a, b] = [members[0].id, members[1].id];
    const chat = await chatOf(db(), portal, members, NOW);
    const send = async (author: number, text: string) =>
      (await insertMessage(db(), { chatId: chat.id, authorMemberId: author, text, clientMessageId: null, now: NOW })).message;
    const counts = async () => {
      assert.deepEqual(await unreadMismatches(db(), chat.id), []);
      const rows = await db().selectFrom('chat_members').select(['member_id', 'unread_count']).where('chat_id', '=', chat.id).execute();
      return Object.fromEntries(rows.map((r) => [r.member_id, Number(r.unread_count)]));
    };
    const m1 = await send(b, '1');
    const m2 = await send(b, '2');
    await send(a, '3');
    assert.deepEqual(await counts(), { [a]: 2, [b]: 1 });
    await advanceReadMark(db(), chat.id, a, m1.id);
    assert.deepEqual(await counts(), { [a]: 1, [b]: 1 });
    assert.ok(await markMessageDeleted(db(), m2.id, NOW));
    assert.equal(await markMessageDeleted(db(), m2.id, NOW), undefined, 'deleted once');
    assert.deepEqual(await counts(), { [a]: 0, [b]: 1 });
    // A new member has read nothing: the messages of the others that are not deleted (1 and 3).
    const user = await createUser(db(), {
      email: `cleo-${unique()}@example.com`,
      password_hash: 'x',
      name: 'cleo',
      last_name: '',
      totp_secret: null,
      totp_last_step: null,
      created_at: NOW,
    });
    const c = (await addMember(db(), portal.id, user.id, 'user', NOW)).id;
    await addChatMembers(db(), chat.id, [c, a], NOW);
    assert.deepEqual(await counts(), { [a]: 0, [b]: 1, [c]: 2 });
    await send(c, '4');
    assert.deepEqual(await counts(), { [a]: 1, [b]: 2, [c]: 2 });
    assert.deepEqual(
      (await listMemberChats(db(), { memberId: c, unreadOnly: true })).map((row) => [row.id, row.unread]),
      [[chat.id, 2]],
    );
    assert.equal(await unreadCount(db(), chat.id, b), 2);
  });

  test("each member's events are numbered from 1 without gaps, read back in order and paged", async () => {
    const { members } = await world(db());
    const [a, b] = [members[0].id, members[1].id];
    const entries = [b, a, b, a, a].map((memberId, i) => ({ memberId, payload: `{"n":${i}}` }));
    const stored = await appendEvents(db(), entries, NOW, { keepEvents: 1000 });
    assert.deepEqual(
      stored.map((e) => [e.memberId, e.seq, e.payload]),
      [
        [b, 1, '{"n":0}'],
        [a, 1, '{"n":1}'],
        [b, 2, '{"n":2}'],
        [a, 2, '{"n":3}'],
        [a, 3, '{"n":4}'],
      ],
    );
    assert.equal(await currentSeq(db(), a), 3);
    assert.deepEqual(
      (await eventsAfter(db(), a, 1)).map((e) => [e.seq, e.createdAt]),
      [
        [2, NOW],
        [3, NOW],
      ],
    );
    const page = await eventsPage(db(), a, { fromSeq: 2, upTo: null, since: NOW - 1, limit: 1 });
    assert.deepEqual(
      page.map((e) => e.seq),
      [2],
    );
  });

  test('old events are pruned as new ones arrive; the sequence never goes back', async () => {
    const { members } = await world(db());
    const memberId = members[0].id;
    const entries = Array.from({ length: 200 }, (_, i) => ({ memberId, payload: String(i) }));
    await appendEvents(db(), entries, NOW, { keepEvents: 50 });
    const kept = await eventsAfter(db(), memberId, 0);
    assert.equal(kept[0]?.seq, 151);
    assert.equal(kept.at(-1)?.seq, 200);
    assert.equal(await currentSeq(db(), memberId), 200);
  });

  test('an im.v2.Event subscription keeps its confirmed mark moving forward only', async () => {
    const { members } = await world(db());
    const memberId = members[0].id;
    await subscribeImEvents(db(), memberId, 5, NOW);
    await subscribeImEvents(db(), memberId, 9, NOW);
    assert.equal((await findImEventSubscription(db(), memberId))?.from_seq, 5, 'subscribing again changes nothing');
    await confirmImEvents(db(), memberId, 8);
    await confirmImEvents(db(), memberId, 7);
    assert.equal((await findImEventSubscription(db(), memberId))?.acked_seq, 8);
    await unsubscribeImEvents(db(), memberId, 12);
    await subscribeImEvents(db(), memberId, 20, NOW);
    const again = await findImEventSubscription(db(), memberId);
    assert.deepEqual([again?.from_seq, again?.until_seq, again?.acked_seq], [20, null, 21]);
  });

  test('tasks sort with empty deadlines last either way and filter titles by substring without case', async () => {
    const { portal, members } = await world(db());
    const viewer = { memberId: members[0].id, admin: false };
    const add = (title: string, deadline: number | null) =>
      insertTask(
        db(),
        {
          portal_id: portal.id,
          title,
          description: '',
          status: 2,
          priority: 1,
          created_by: members[0].id,
          responsible_id: members[1].id,
          deadline,
          created_at: NOW,
          changed_by: members[0].id,
          changed_at: NOW,
          closed_by: null,
          closed_at: null,
        },
        { accomplices: [], auditors: [members[1].id] },
      );
    const none = await add('No deadline', null);
    const late = await add('Late 100% done_x', NOW + 2);
    const soon = await add('Soon', NOW + 1);
    const query = (over: Partial<TaskQuery>): Promise<number[]> =>
      listTasks(db(), portal.id, { viewer, terms: [], sort: [], offset: 0, count: false, ...over }).then((r) => r.rows.map((t) => t.id));
    assert.deepEqual(await query({ sort: [{ field: 'DEADLINE', direction: 'asc' }] }), [soon, late, none]);
    assert.deepEqual(await query({ sort: [{ field: 'DEADLINE', direction: 'desc' }] }), [late, soon, none]);
    assert.deepEqual(await query({ terms: [{ field: 'TITLE', op: 'like', values: ['100% DONE_'] }] }), [late]);
    assert.deepEqual(await query({ terms: [{ field: 'TITLE', op: 'like', values: ['0%_'] }] }), []);
    assert.deepEqual(await query({ terms: [{ field: 'TITLE', op: '=', values: ['soon', 'NO DEADLINE'] }] }), [none, soon]);
    assert.deepEqual(await query({ terms: [{ field: 'AUDITOR', op: '=', values: [members[1].id] }] }), [none, late, soon]);
    const counted = await listTasks(db(), portal.id, { viewer, terms: [], sort: [], offset: 2, count: true });
    assert.deepEqual([counted.rows.length, counted.total], [1, 3]);
    assert.deepEqual(
      counted.rows.map((t) => t.auditors),
      [[members[1].id]],
    );
  });

  test('single sign-on settings are replaced in place, and found by their domain', async () => {
    const { portal } = await world(db());
    const domain = `${unique()}.example.com`;
    const input = { issuer: 'https://idp.example.com', client_id: 'a', client_secret: 's', domain, jit: 0 };
    const first = await saveSsoSettings(db(), portal.id, input, NOW);
    const second = await saveSsoSettings(db(), portal.id, { ...input, client_id: 'b', jit: 1 }, NOW + 5);
    assert.deepEqual([second.client_id, second.jit, second.created_at, second.updated_at], ['b', 1, first.created_at, NOW + 5]);
    assert.deepEqual(
      (await findPortalsBySsoDomain(db(), domain)).map((p) => [p.name, p.title]),
      [[portal.name, portal.title]],
    );
  });

  test("a pull channel is found while it is good, the owner's newest first", async () => {
    const { portal, members } = await world(db());
    const channel = (id: string, expiresAt: number) => ({
      id_hash: `${id}${unique()}`,
      portal_id: portal.id,
      member_id: members[0].id,
      type: 'private' as const,
      channel_id: id,
      public_id: id,
      created_at: NOW,
      expires_at: expiresAt,
    });
    await insertPullChannel(db(), channel('old', NOW + 10));
    await insertPullChannel(db(), channel('new', NOW + 20));
    const owner = { portalId: portal.id, memberId: members[0].id, type: 'private' as const };
    assert.equal((await findCurrentPullChannel(db(), owner, NOW))?.channel_id, 'new');
    assert.equal(await findCurrentPullChannel(db(), owner, NOW + 20), undefined);
    assert.equal(await findCurrentPullChannel(db(), { ...owner, memberId: null, type: 'shared' }, NOW), undefined);
  });

  test('text is stored as sent, except U+0000, which PostgreSQL cannot store and gets as U+FFFD', async () => {
    const { portal, members } = await world(db());
    const chat = await chatOf(db(), portal, members);
    const text = `<b>x</b> 'q' "dq" \\ % _ 😀 \u0000 end`;
    const { message } = await insertMessage(db(), {
      chatId: chat.id,
      authorMemberId: members[0].id,
      text,
      clientMessageId: null,
      now: NOW,
    });
    const expected = engine.name === 'postgres' ? text.replace('\u0000', '\uFFFD') : text;
    assert.equal((await findMessage(db(), message.id))?.text, expected);
  });
}

export function familyOf(portal: Portal, member: Member) {
  return { portalId: portal.id, memberId: member.id, clientId: 'c', deviceName: 'd', ip: '', userAgent: '', scope: 'im', now: NOW };
}

/** Members of the chat whose kept unread count differs from counting its messages: [member, kept, counted]. */
export async function unreadMismatches(db: Db, chatId: number): Promise<[number, number, number][]> {
  const rows = await db
    .selectFrom('chat_members')
    .select([
      'member_id',
      'unread_count',
      sql<number>`(select count(*) from messages m where m.chat_id = chat_members.chat_id and m.id > chat_members.last_read_message_id and m.author_member_id <> chat_members.member_id and m.deleted_at is null)`.as(
        'counted',
      ),
    ])
    .where('chat_id', '=', chatId)
    .execute();
  return rows
    .map((r): [number, number, number] => [r.member_id, Number(r.unread_count), Number(r.counted)])
    .filter(([, kept, counted]) => kept !== counted);
}

export function chatOf(db: Db, portal: Portal, members: readonly Member[], now = NOW) {
  return createChat(db, {
    portalId: portal.id,
    type: 'chat',
    title: 'Team',
    ownerMemberId: members[0]?.id ?? 0,
    memberIds: members.map((m) => m.id),
    now,
  });
}
