import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RealtimeHub } from '../src/realtime/hub.ts';
import { openDatabase } from '../src/store/database.ts';
import { addMember } from '../src/store/members.ts';
import { createPortal } from '../src/store/portals.ts';
import { appendEvents, currentSeq, eventsAfter, type StoredEvent } from '../src/store/realtimeEvents.ts';
import { createUser } from '../src/store/users.ts';

const dir = mkdtempSync(join(tmpdir(), 'multidesk-hub-'));
const db = await openDatabase(dir);
after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

let people = 0;
async function newMember(): Promise<number> {
  people += 1;
  const portal = await createPortal(db, `p${people}`, 'P', 0);
  const user = await createUser(db, {
    email: `m${people}@example.com`,
    password_hash: 'x',
    name: 'M',
    last_name: '',
    totp_secret: null,
    totp_last_step: null,
    created_at: 0,
  });
  return (await addMember(db, portal.id, user.id, 'user', 0)).id;
}

const payload = (n: number) => JSON.stringify({ module_id: 'tasks', command: 'task_update', params: { TASK_ID: n } });
const append = (memberId: number, n: number, keepEvents = 10_000) =>
  appendEvents(db, [{ memberId, payload: payload(n) }], Date.now(), { keepEvents });

/** A sink that keeps the seqs it was sent, one array per delivery. */
function fakeSink() {
  const deliveries: number[][] = [];
  return {
    deliveries,
    seqs: () => deliveries.flat(),
    sink: { deliver: (events: readonly StoredEvent[]) => deliveries.push(events.map((e) => e.seq)) },
  };
}

test('each member has a sequence of their own, starting at 1 and growing by one', async () => {
  const [a, b] = [await newMember(), await newMember()];
  const stored = await appendEvents(
    db,
    [
      { memberId: a, payload: payload(1) },
      { memberId: b, payload: payload(2) },
      { memberId: a, payload: payload(3) },
    ],
    0,
    { keepEvents: 100 },
  );
  assert.deepEqual(
    stored.map((e) => [e.memberId, e.seq]),
    [
      [a, 1],
      [b, 1],
      [a, 2],
    ],
  );
  assert.equal(await currentSeq(db, a), 2);
  assert.equal(await currentSeq(db, await newMember()), 0);
});

test('only the newest events are kept per member, and the sequence never goes back', async () => {
  const member = await newMember();
  for (let i = 1; i <= 205; i++) await append(member, i, 50);
  const kept = await eventsAfter(db, member, 0);
  assert.ok(kept.length >= 50 && kept.length < 150, `kept ${kept.length}`);
  assert.equal(kept.at(-1)?.seq, 205);
  assert.equal((await append(member, 206, 50))[0]?.seq, 206);
});

test('an event delivered ahead of one still in flight is sent after the missing ones, each once', async () => {
  const member = await newMember();
  const hub = new RealtimeHub(db, Date.now, { keepMs: 60_000 });
  const fake = fakeSink();
  const { subscription, ready } = hub.subscribe(member, fake.sink, null);
  assert.deepEqual(await ready, { seq: 0 });
  const [e1] = await append(member, 1);
  const [e2] = await append(member, 2);
  const [e3] = await append(member, 3);
  hub.deliver([e3!]);
  hub.deliver([e1!, e2!]);
  hub.deliver([e2!]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(fake.seqs(), [1, 2, 3]);
  subscription.close();
  const [e4] = await append(member, 4);
  hub.deliver([e4!]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(fake.seqs(), [1, 2, 3], 'nothing after close');
  assert.equal(hub.size, 0);
});

test('replay starts right after the position in one delivery; what is no longer kept is skipped, not waited for', async () => {
  const member = await newMember();
  for (let i = 1; i <= 5; i++) await append(member, i);
  const hub = new RealtimeHub(db, Date.now, { keepMs: 60_000 });
  const replay = fakeSink();
  assert.deepEqual(await hub.subscribe(member, replay.sink, 2).ready, { seq: 5 });
  assert.deepEqual(replay.deliveries, [[3, 4, 5]]);

  await db.deleteFrom('realtime_events').where('member_id', '=', member).where('seq', '=', 3).execute();
  const gap = fakeSink();
  assert.deepEqual(await hub.subscribe(member, gap.sink, 2).ready, { seq: 5 });
  assert.deepEqual(gap.seqs(), [4, 5]);
  const [e6] = await append(member, 6);
  hub.deliver([e6!]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(gap.seqs(), [4, 5, 6]);
});

test('a position ahead of the log (another server, a wiped log) starts from now', async () => {
  const member = await newMember();
  for (let i = 1; i <= 3; i++) await append(member, i);
  const hub = new RealtimeHub(db, Date.now, { keepMs: 60_000 });
  const fake = fakeSink();
  assert.deepEqual(await hub.subscribe(member, fake.sink, 99).ready, { seq: 3 });
  assert.deepEqual(fake.seqs(), []);
  const [e4] = await append(member, 4);
  hub.deliver([e4!]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(fake.seqs(), [4]);
});
