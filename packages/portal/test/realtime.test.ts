import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { RealtimeServerMessage } from '@multidesk/protocol';
import { buildApp } from '../src/app.ts';
import { publishToMembers } from '../src/realtime/publish.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import type { TestPortal } from './harness.ts';
import { type ImUserClient, imUser, newImUser } from './imClient.ts';
import { RealtimeTestClient, seqOf } from './realtimeClient.ts';
import { oauthClient } from './sdkClient.ts';
import { desktopSignIn } from './signIn.ts';
import { call, restPortal, signInAs } from './tokens.ts';

const { portal, acme } = await restPortal({ limits: { restBurst: 100_000, realtimeAuthTimeoutMs: 400, realtimePingIntervalMs: 150 } });
/** A portal whose clock the tests move (expiry, retention), so that the other tests' tokens stay valid. */
const timed = await restPortal({ limits: { restBurst: 100_000 } });

let ada: ImUserClient;
let bo: ImUserClient;
before(async () => {
  ada = await newImUser(portal, 'ada@example.com', ['acme']);
  bo = await newImUser(portal, 'bo@example.com', ['acme']);
});

const events = (messages: RealtimeServerMessage[]) => messages.filter((m) => !['ready', 'resync', 'pong', 'error'].includes(m.type));

test('a message another user sends with the official SDK arrives live, numbered by seq', async () => {
  const client = await RealtimeTestClient.connect(acme, bo.token);
  const sender = oauthClient(await signInAs(portal, 'acme', 'ada@example.com'));
  const response = await sender.actions.v2.call.make({
    method: 'im.message.add',
    params: { DIALOG_ID: bo.id, MESSAGE: 'Live from the SDK' },
  });
  assert.ok(response.isSuccess, response.getErrorMessages().join('; '));
  const messageId = response.getData()!.result as number;

  const arrived = await client.next();
  assert.equal(arrived.type, 'message.new');
  if (arrived.type !== 'message.new') return;
  assert.equal(arrived.dialog_id, String(ada.id));
  assert.deepEqual(
    { id: arrived.message.id, text: arrived.message.text, author_id: arrived.message.author_id },
    { id: messageId, text: 'Live from the SDK', author_id: ada.id },
  );
  const counters = await client.next();
  assert.equal(counters.type, 'counters');
  if (counters.type === 'counters') assert.equal(counters.counters.DIALOG[String(ada.id)], 1);
  assert.equal(seqOf(counters), seqOf(arrived) + 1);
  client.close();
});

test('seq grows by one per event for each user, whatever the chat and whoever caused it', async () => {
  const cy = await newImUser(portal, 'cy@example.com', ['acme']);
  const client = await RealtimeTestClient.connect(acme, cy.token);
  const [ready] = client.received;
  const start = ready?.type === 'ready' ? ready.seq : -1;
  const chat = await ada.result('im.chat.add', { TITLE: 'Seq', USERS: [cy.id, bo.id] });
  await ada.result('im.message.add', { DIALOG_ID: `chat${chat}`, MESSAGE: 'one' });
  await bo.result('im.message.add', { DIALOG_ID: cy.id, MESSAGE: 'two' });
  const msgId = await cy.result('im.message.add', { DIALOG_ID: `chat${chat}`, MESSAGE: 'three' });
  await cy.result('im.message.update', { MESSAGE_ID: msgId, MESSAGE: 'three!' });
  await cy.result('im.dialog.read', { DIALOG_ID: bo.id });
  await cy.result('im.message.delete', { MESSAGE_ID: msgId });
  const got = await client.take(10);
  assert.deepEqual(
    got.map((m) => m.type),
    [
      'chat.added',
      'message.new',
      'counters',
      'message.new',
      'counters',
      'message.new',
      'counters',
      'message.updated',
      'dialog.read',
      'counters',
      // …then message.deleted (cy wrote it, so cy's counters do not change).
    ],
  );
  const last = await client.next();
  assert.equal(last.type, 'message.deleted');
  assert.deepEqual(
    [...got, last].map(seqOf),
    Array.from({ length: 11 }, (_, i) => start + 1 + i),
  );
  const read = got[8];
  assert.ok(read?.type === 'dialog.read');
  assert.deepEqual({ user_id: read.user_id, dialog_id: read.dialog_id }, { user_id: cy.id, dialog_id: String(bo.id) });
  assert.deepEqual(await client.quiet(), []);
  client.close();
});

test('events reach only the members of the chat, on every connection of theirs, with the same seq', async () => {
  const first = await RealtimeTestClient.connect(acme, bo.token);
  const second = await RealtimeTestClient.connect(acme, (await signInAs(portal, 'acme', 'bo@example.com')).access_token);
  const outsider = await newImUser(portal, 'outsider@example.com', ['acme']);
  const watching = await RealtimeTestClient.connect(acme, outsider.token);
  await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'for bo only' });
  const [a, b] = [await first.take(2), await second.take(2)];
  assert.deepEqual(a, b);
  assert.deepEqual(await watching.quiet(), []);
  for (const c of [first, second, watching]) c.close();
});

test('reconnecting with last_seq replays exactly the missed events in order, then goes live without duplicates', async () => {
  const client = await RealtimeTestClient.connect(acme, bo.token);
  await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'before the drop' });
  const seen = await client.take(2);
  const lastSeq = seqOf(seen[1] as RealtimeServerMessage);
  client.close();
  await client.closed;

  const missed: number[] = [];
  for (const text of ['missed 1', 'missed 2', 'missed 3'])
    missed.push(await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: text }));

  const again = await RealtimeTestClient.open(acme);
  again.send({ type: 'auth', access_token: bo.token, last_seq: lastSeq });
  // Messages sent while the replay runs must come after it, once each.
  const during = ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'during the replay' });
  const replay = await again.until((m) => m.type === 'ready');
  const ready = replay.pop();
  assert.deepEqual(
    replay.map(seqOf),
    replay.map((_, i) => lastSeq + 1 + i),
  );
  assert.ok(replay.length >= 6, 'three messages and their counters');
  assert.deepEqual(
    replay
      .filter((m) => m.type === 'message.new')
      .map((m) => (m.type === 'message.new' ? m.message.id : 0))
      .slice(0, 3),
    missed,
  );
  assert.equal(ready?.type === 'ready' ? ready.seq : -1, seqOf(replay.at(-1) as RealtimeServerMessage));
  await during;
  const live = events(await again.quiet(300));
  const all = [...replay, ...live];
  assert.deepEqual(
    all.map(seqOf),
    all.map((_, i) => lastSeq + 1 + i),
    'contiguous, no repeats',
  );
  assert.equal(all.filter((m) => m.type === 'message.new').length, 4);
  again.close();
});

test('a last_seq older than what is kept, or ahead of the server, gets resync and then ready', async () => {
  const fresh = await newImUser(timed.portal, 'resync@example.com', ['acme']);
  const writer = await newImUser(timed.portal, 'writer@example.com', ['acme']);
  await writer.result('im.message.add', { DIALOG_ID: fresh.id, MESSAGE: 'an old event' });
  const ahead = await RealtimeTestClient.open(timed.acme);
  ahead.send({ type: 'auth', access_token: fresh.token, last_seq: 99 });
  assert.deepEqual(await ahead.take(2), [
    { type: 'resync', seq: 2 },
    { type: 'ready', seq: 2 },
  ]);
  ahead.close();

  timed.portal.clock.advance(timed.portal.app.ctx.limits.realtimeKeepMs + 60_000);
  const tokens = await signInAs(timed.portal, 'acme', 'resync@example.com');
  const writerAgain = await imUser(timed.portal, 'acme', 'writer@example.com');
  const old = await RealtimeTestClient.open(timed.acme);
  old.send({ type: 'auth', access_token: tokens.access_token, last_seq: 0 });
  assert.deepEqual(await old.take(2), [
    { type: 'resync', seq: 2 },
    { type: 'ready', seq: 2 },
  ]);
  await writerAgain.result('im.message.add', { DIALOG_ID: fresh.id, MESSAGE: 'after resync' });
  assert.equal(seqOf(await old.next()), 3);
  old.close();
});

test('a client without last_seq gets no replay, only ready with the current seq', async () => {
  const client = await RealtimeTestClient.connect(acme, bo.token);
  assert.equal(client.received.length, 1);
  assert.equal(client.received[0]?.type, 'ready');
  client.close();
});

test('replay survives a server restart on the same data directory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-realtime-restart-'));
  const start = async () => {
    const db = await openDatabase(dataDir);
    await seedDemo(db, Date.now());
    const app = await buildApp({ db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const stop = async () => {
      await app.close();
      await db.destroy();
    };
    return { app, db, port, base: `http://acme.localhost:${port}`, stop };
  };
  try {
    const first = await start();
    const tokenOf = (email: string, port: number) =>
      desktopSignIn({ url: (name?: string) => `http://${name ? `${name}.` : ''}localhost:${port}` } as TestPortal, 'acme', email);
    const anna = await tokenOf('anna@example.com', first.port);
    const ben = await tokenOf('ben@example.com', first.port);
    const client = await RealtimeTestClient.connect(first.base, ben.access_token);
    const seq0 = client.received[0]?.type === 'ready' ? client.received[0].seq : -1;
    client.close();
    const send = (base: string, text: string) =>
      call(`${base}/rest/im.message.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: anna.access_token, DIALOG_ID: ben.user_id, MESSAGE: text }),
      });
    assert.equal((await send(first.base, 'before the restart')).status, 200);
    await first.stop();

    const second = await start();
    const again = await RealtimeTestClient.open(second.base);
    again.send({ type: 'auth', access_token: ben.access_token, last_seq: seq0 });
    const replay = await again.until((m) => m.type === 'ready');
    assert.deepEqual(
      replay.map((m) => m.type),
      ['message.new', 'counters', 'ready'],
    );
    const [message] = replay;
    assert.ok(message?.type === 'message.new');
    assert.equal(message.message.text, 'before the restart');
    assert.equal(message.seq, seq0 + 1);
    assert.equal((await send(second.base, 'after the restart')).status, 200);
    assert.equal(seqOf(await again.next()), seq0 + 3);
    again.close();
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the access token is never taken from the URL: such an upgrade is refused with 400', async () => {
  for (const query of [`access_token=${bo.token}`, `auth=${bo.token}`, `token=${bo.token}`]) {
    await assert.rejects(RealtimeTestClient.open(acme, `/realtime?${query}`), /upgrade refused: 400/);
  }
  // A socket that only has a token in its URL and sends nothing is closed for want of auth.
  const silent = await RealtimeTestClient.open(acme, `/realtime?x=${bo.token}`);
  assert.deepEqual(await silent.closed, { code: 4408, reason: 'auth_timeout' });
  assert.equal(silent.received[0]?.type, 'error');
});

test('a bad or expired token gets an error and close 4401', async () => {
  const bad = await RealtimeTestClient.open(acme);
  bad.send({ type: 'auth', access_token: 'not-a-token' });
  assert.deepEqual(await bad.next(), { type: 'error', error: 'invalid_token', error_description: 'The access token provided is invalid.' });
  assert.equal((await bad.closed).code, 4401);

  const other = await RealtimeTestClient.open(portal.url('globex'));
  other.send({ type: 'auth', access_token: bo.token });
  assert.equal((await other.closed).code, 4401, 'a token of another portal is invalid here');

  const tokens = await signInAs(timed.portal, 'acme', 'anna@example.com');
  timed.portal.clock.advance(3600_000 + 1000);
  const expired = await RealtimeTestClient.open(timed.acme);
  expired.send({ type: 'auth', access_token: tokens.access_token });
  assert.equal(((await expired.next()) as { error: string }).error, 'expired_token');
  assert.equal((await expired.closed).code, 4401);
});

test('a token revoked while connected ends the connection with 4401 at the next ping', async () => {
  const tokens = await signInAs(portal, 'acme', 'bo@example.com');
  const client = await RealtimeTestClient.connect(acme, tokens.access_token);
  const revoked = await call(`${acme}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refresh_token }) });
  assert.equal(revoked.status, 200);
  assert.equal(((await client.next()) as { error: string }).error, 'invalid_token');
  assert.equal((await client.closed).code, 4401);
});

test('a client that stops answering pings is dropped', async () => {
  const client = await RealtimeTestClient.open(acme, '/realtime', { autoPong: false });
  client.send({ type: 'auth', access_token: bo.token });
  await client.until((m) => m.type === 'ready');
  assert.equal((await client.closed).code, 1006, 'terminated, without a close frame');
});

test('no auth message within the time limit closes the socket', async () => {
  const client = await RealtimeTestClient.open(acme);
  const closed = await client.closed;
  assert.equal(closed.code, 4408);
  assert.equal(client.received[0]?.type, 'error');
});

test('a message outside the protocol closes with 4400, and ping answers pong', async () => {
  const client = await RealtimeTestClient.connect(acme, bo.token);
  client.send({ type: 'ping' });
  assert.deepEqual(await client.next(), { type: 'pong' });
  client.send('not json');
  assert.equal(((await client.next()) as { error: string }).error, 'invalid_message');
  assert.equal((await client.closed).code, 4400);
});

test('the network address and unknown hosts serve no realtime', async () => {
  await assert.rejects(RealtimeTestClient.open(portal.url()), /upgrade refused: 404/);
  await assert.rejects(RealtimeTestClient.open(portal.url('nowhere')), /upgrade refused: 404/);
});

test('publishToMembers numbers a task.changed for each member of the portal and ignores ids of other portals', async () => {
  const client = await RealtimeTestClient.connect(acme, ada.token);
  const stranger = await newImUser(portal, 'task-stranger@example.com', ['globex']);
  const strangerSocket = await RealtimeTestClient.connect(portal.url('globex'), stranger.token);
  const acmePortal = await portal.db.selectFrom('portals').selectAll().where('name', '=', 'acme').executeTakeFirstOrThrow();
  await publishToMembers(portal.app.ctx, acmePortal.id, [ada.id, ada.id, stranger.id], {
    type: 'task.changed',
    task_id: 42,
    action: 'updated',
  });
  const event = await client.next();
  assert.deepEqual({ ...event, seq: 0 }, { seq: 0, type: 'task.changed', task_id: 42, action: 'updated' });
  assert.deepEqual(await client.quiet(), [], 'once, though listed twice');
  assert.deepEqual(await strangerSocket.quiet(), []);
  client.close();
  strangerSocket.close();
});

test('a task change made over REST reaches its participants as task.changed', async () => {
  const anna = await imUser(portal, 'acme', 'anna@example.com');
  const client = await RealtimeTestClient.connect(acme, ada.token);
  const added = await anna.result('tasks.task.add', { fields: { TITLE: 'Realtime task', RESPONSIBLE_ID: ada.id } });
  const event = await client.next();
  assert.equal(event.type, 'task.changed');
  if (event.type === 'task.changed') {
    assert.equal(event.task_id, Number(added.task.id));
    assert.equal(event.action, 'added');
  }
  client.close();
});
