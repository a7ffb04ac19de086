import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RealtimeHub } from '../src/realtime/hub.ts';
import { openDatabase } from '../src/store/database.ts';
import { addMember } from '../src/store/members.ts';
import { createPortal } from '../src/store/portals.ts';
import { appendEvents, currentSeq, eventsAfter } from '../src/store/realtimeEvents.ts';
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

const payload = (n: number) => JSON.stringify({ type: 'task.changed', task_id: n, action: 'updated' });
const append = (memberId: number, n: number, keepEvents = 10_000) =>
  appendEvents(db, [{ memberId, payload: payload(n) }], Date.now(), { keepEvents });

function fakeSink() {
  const lines: any[] = [];
  return { lines, sink: { send: (text: string) => lines.push(JSON.parse(text)) } };
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
  const { lines, sink } = fakeSink();
  const subscription = hub.subscribe(member, sink, undefined);
  await subscription.ready;
  const [e1] = await append(member, 1);
  const [e2] = await append(member, 2);
  const [e3] = await append(member, 3);
  hub.deliver([e3!]);
  hub.deliver([e1!, e2!]);
  hub.deliver([e2!]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    lines.map((l) => [l.type, l.seq]),
    [
      ['ready', 0],
      ['task.changed', 1],
      ['task.changed', 2],
      ['task.changed', 3],
    ],
  );
  subscription.close();
  const [e4] = await append(member, 4);
  hub.deliver([e4!]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(lines.length, 4, 'nothing after close');
  assert.equal(hub.size, 0);
});

test('replay starts right after last_seq; a gap in what is kept means resync', async () => {
  const member = await newMember();
  for (let i = 1; i <= 5; i++) await append(member, i);
  const hub = new RealtimeHub(db, Date.now, { keepMs: 60_000 });
  const replay = fakeSink();
  await hub.subscribe(member, replay.sink, 2).ready;
  assert.deepEqual(
    replay.lines.map((l) => l.seq),
    [3, 4, 5, 5],
  );
  assert.equal(replay.lines.at(-1).type, 'ready');

  await db.deleteFrom('realtime_events').where('member_id', '=', member).where('seq', '=', 3).execute();
  const gap = fakeSink();
  await hub.subscribe(member, gap.sink, 2).ready;
  assert.deepEqual(gap.lines, [
    { type: 'resync', seq: 5 },
    { type: 'ready', seq: 5 },
  ]);
});
