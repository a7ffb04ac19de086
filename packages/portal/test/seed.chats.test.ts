import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countersOf } from '../src/im/counters.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { demoMembers } from '../src/seed/demoMembers.ts';
import { openDatabase } from '../src/store/database.ts';

test('seed-demo gives each portal group chats and private dialogs with a history, and anna unread messages in every portal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-seed-chats-'));
  try {
    const db = await openDatabase(dir);
    await seedDemo(db, Date.now());
    const counts = async () => ({
      chats: await db.selectFrom('chats').selectAll().orderBy('id').execute(),
      members: await db.selectFrom('chat_members').selectAll().orderBy('chat_id').orderBy('member_id').execute(),
      messages: await db.selectFrom('messages').selectAll().orderBy('id').execute(),
      events: await db.selectFrom('realtime_events').selectAll().execute(),
    });
    const first = await counts();
    for (const name of ['acme', 'globex', 'initech']) {
      const portal = await db.selectFrom('portals').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
      const chats = first.chats.filter((c) => c.portal_id === portal.id);
      assert.ok(
        chats.some((c) => c.type === 'chat'),
        `${name} has a group chat`,
      );
      assert.ok(
        chats.some((c) => c.type === 'private'),
        `${name} has a private dialog`,
      );
      for (const chat of chats) assert.ok(first.messages.filter((m) => m.chat_id === chat.id).length >= 2, `${name}: ${chat.title}`);
      const annaId = (await demoMembers(db, portal.id)).get('anna');
      assert.ok(annaId, `anna is a member of ${name}`);
      const counters = await countersOf(db, annaId);
      assert.ok(counters.TYPE.ALL > 0, `anna has unread messages on ${name}`);
      assert.ok(counters.TYPE.CHAT > 0 && counters.TYPE.DIALOG > 0, `in a chat and in a dialog on ${name}`);
    }
    assert.deepEqual(first.events, [], 'seeding publishes no realtime events');

    await seedDemo(db, Date.now() + 60_000);
    assert.deepEqual(await counts(), first, 'running it twice changes nothing');
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
