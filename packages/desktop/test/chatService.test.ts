import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ChatDelta } from '@multidesk/protocol';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { signInAs } from '../../portal/test/tokens.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { nextChatChange, signInEach, startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
let core: Awaited<ReturnType<typeof startTestCore>>;
const ids: Record<string, string> = {};

/** Plain Bitrix24 REST as another user of a portal (their own OAuth token). */
async function restAs(portalName: string, email: string, method: string, params: Record<string, unknown>): Promise<any> {
  const { access_token } = await signInAs(portal, portalName, email);
  const response = await fetch(`${portal.url(portalName)}/rest/${method}.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, auth: access_token }),
  });
  const body = (await response.json()) as { result?: any; error?: string; error_description?: string };
  assert.equal(response.status, 200, `${method}: ${body.error} ${body.error_description}`);
  return body.result;
}

/** Waits until everything the account queued has been posted (failed entries would keep it waiting). */
function outboxEmpty(id: string): Promise<void> {
  const outbox = core.manager.access(id).cache.outbox;
  return until(
    () => outbox.list().length === 0,
    () => `the outbox still holds ${JSON.stringify(outbox.list())}`,
  );
}

before(async () => {
  // The history test sends a few dozen messages at once: more than Bitrix24's burst of 50 requests.
  portal = await startTestPortal({ limits: { restBurst: 500 } });
  core = await startTestCore(new MemoryVault());
  Object.assign(ids, await signInEach(core, portal, ['acme', 'globex']));
});
after(async () => {
  await core.close();
  core.removeProfile();
  await portal.close();
});

describe('chats in the core', () => {
  test("anna's recent chats on acme are the demo chats, newest first, with unread counts", async () => {
    const view = await core.chats.list({ id: ids.acme as string });
    assert.equal(view.stale, false);
    const team = view.chats.find((c) => c.title === 'Acme team');
    assert.ok(team, JSON.stringify(view.chats.map((c) => c.title)));
    assert.equal(team.dialogId, `chat${team.chatId}`);
    assert.equal(team.kind, 'chat');
    assert.equal(team.unread, 2);
    assert.equal(team.lastMessage?.text, 'Anna, can you look at the banner before lunch?');
    assert.ok(view.chats.some((c) => c.title === 'Website relaunch' && c.unread === 0));
    const ben = view.chats.find((c) => c.kind === 'user' && c.title.startsWith('Ben'));
    assert.ok(ben && ben.unread === 1, 'the private dialog with ben has one unread');
    const dates = view.chats.map((c) => Date.parse(c.lastMessage?.date ?? '0'));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
    );
  });

  test('a dialog shows oldest first with authors; opening it marks it read', async () => {
    const id = ids.acme as string;
    const team = (await core.chats.list({ id })).chats.find((c) => c.title === 'Acme team');
    assert.ok(team);
    const page = await core.chats.messages({ id, dialogId: team.dialogId });
    assert.ok(page.ok, JSON.stringify(page));
    assert.equal(page.messages[0]?.text, 'Good morning! Stand-up moves to 10:30 today.');
    assert.equal(page.messages[0]?.authorName, 'Anna Smirnova');
    assert.equal(page.messages.at(-1)?.text, 'Anna, can you look at the banner before lunch?');
    assert.equal(page.hasOlder, false);
    const read = await core.chats.read({ id, dialogId: team.dialogId });
    assert.deepEqual(read, { ok: true, unread: 0 });
    const after = (await core.chats.list({ id })).chats.find((c) => c.title === 'Acme team');
    assert.equal(after?.unread, 0);
  });

  test('queued sends are posted exactly once and in order, and a resend after a crash does not duplicate', async () => {
    const id = ids.globex as string;
    const sales = (await core.chats.list({ id })).chats.find((c) => c.title === 'Globex sales');
    assert.ok(sales);
    const sent = await core.chats.send({ id, dialogId: sales.dialogId, text: 'Numbers are in.' });
    assert.ok(sent.ok, JSON.stringify(sent));
    assert.equal(sent.pending.text, 'Numbers are in.');
    assert.equal(sent.pending.dialogId, sales.dialogId);
    assert.notEqual(sent.pending.status, 'failed');
    const second = await core.chats.send({ id, dialogId: sales.dialogId, text: 'And the forecast.' });
    assert.ok(second.ok, JSON.stringify(second));
    assert.notEqual(second.pending.clientId, sent.pending.clientId);
    await outboxEmpty(id);
    const page = await core.chats.messages({ id, dialogId: sales.dialogId });
    assert.ok(page.ok);
    assert.deepEqual(page.pending, []);
    assert.equal(page.messages.filter((m) => m.text === 'Numbers are in.').length, 1);
    assert.equal(page.messages.filter((m) => m.text === 'And the forecast.').length, 1);
    assert.deepEqual(
      page.messages.slice(-2).map((m) => [m.text, m.authorName]),
      [
        ['Numbers are in.', 'Anna Smirnova'],
        ['And the forecast.', 'Anna Smirnova'],
      ],
    );

    // A crash after the portal took the message but before the outbox forgot it: the entry is still
    // there on the next start, and sending it again under its client id must not post it twice.
    const clientId = `crash-${randomUUID()}`;
    await restAs('globex', 'anna@example.com', 'im.message.add', {
      DIALOG_ID: sales.dialogId,
      MESSAGE: 'Sent just before the crash.',
      CLIENT_MESSAGE_ID: clientId,
    });
    const outbox = core.manager.access(id).cache.outbox;
    outbox.add({ clientId, dialogId: sales.dialogId, text: 'Sent just before the crash.', createdAt: Date.now() });
    const adds = () => portal.requests.filter((r) => r.host.startsWith('globex.') && r.path === '/rest/im.message.add').length;
    const addsBefore = adds();
    core.manager.emit('live', id, true);
    await outboxEmpty(id);
    assert.equal(adds(), addsBefore + 1, 'the entry was sent again, under its client id');
    const afterCrash = await core.chats.messages({ id, dialogId: sales.dialogId });
    assert.ok(afterCrash.ok);
    assert.equal(afterCrash.messages.filter((m) => m.text === 'Sent just before the crash.').length, 1);
    assert.deepEqual(afterCrash.pending, []);
    const list = (await core.chats.list({ id })).chats;
    assert.equal(list[0]?.title, 'Globex sales', 'the chat moves to the top');
    assert.equal(list[0]?.lastMessage?.text, 'Sent just before the crash.');
  });

  test('older pages go back through the history without gaps or repeats', async () => {
    const id = ids.globex as string;
    const sofia = (await core.chats.list({ id })).chats.find((c) => c.kind === 'user' && c.title.startsWith('Sofia'));
    assert.ok(sofia, 'the demo has a dialog with sofia');
    const before = await core.chats.messages({ id, dialogId: sofia.dialogId });
    assert.ok(before.ok);
    for (let i = 1; i <= 45; i++) {
      const sent = await core.chats.send({ id, dialogId: sofia.dialogId, text: `Line ${i}` });
      assert.ok(sent.ok, JSON.stringify(sent));
    }
    await outboxEmpty(id);
    const seen: number[] = [];
    let page = await core.chats.messages({ id, dialogId: sofia.dialogId });
    assert.ok(page.ok);
    assert.equal(page.messages.at(-1)?.text, 'Line 45');
    seen.unshift(...page.messages.map((m) => m.id));
    let pages = 1;
    while (page.ok && page.hasOlder) {
      page = await core.chats.messages({ id, dialogId: sofia.dialogId, beforeId: seen[0] as number });
      assert.ok(page.ok, JSON.stringify(page));
      seen.unshift(...page.messages.map((m) => m.id));
      pages++;
    }
    assert.ok(pages >= 2);
    assert.equal(seen.length, before.messages.length + 45);
    assert.deepEqual(
      seen,
      [...new Set(seen)].sort((a, b) => a - b),
    );
  });

  test('errors are clear: empty, too long, not a member, not connected', async () => {
    const id = ids.acme as string;
    const empty = await core.chats.send({ id, dialogId: 'chat1', text: '  \n ' });
    assert.deepEqual(empty.ok ? 'ok' : empty.error, 'MESSAGE_EMPTY');
    const long = await core.chats.send({ id, dialogId: 'chat1', text: 'x'.repeat(20_001) });
    assert.deepEqual(long.ok ? 'ok' : long.error, 'MESSAGE_TOO_LONG');
    // The portal's refusal comes later: the message waits in the outbox, marked failed.
    const stranger = await core.chats.send({ id, dialogId: 'chat999999', text: 'hello' });
    assert.ok(stranger.ok, JSON.stringify(stranger));
    const outbox = core.manager.access(id).cache.outbox;
    await until(() => outbox.get(stranger.pending.clientId)?.error != null, 'the refused message is marked failed');
    assert.equal(outbox.get(stranger.pending.clientId)?.error?.code, 'ACCESS_DENIED', 'not a member: the Messenger says so');
    assert.deepEqual(await core.chats.discardSend({ id, clientId: stranger.pending.clientId }), { ok: true });
    const unseen = await core.chats.messages({ id, dialogId: 'chat999999' });
    assert.deepEqual(unseen.ok ? 'ok' : unseen.error, 'ACCESS_DENIED');
    await core.manager.disconnect(id);
    try {
      const off = await core.chats.send({ id, dialogId: 'chat1', text: 'hello' });
      assert.deepEqual(off.ok ? 'ok' : off.error, 'not_connected');
      const saved = await core.chats.list({ id });
      assert.equal(saved.stale, true);
      assert.deepEqual(saved.problem, { code: 'disconnected' });
      assert.ok(
        saved.chats.some((c) => c.title === 'Acme team'),
        'a disconnected account still shows its saved chats',
      );
    } finally {
      await core.manager.connect(id);
    }
  });

  test("a message ben posts reaches anna's account live as a chat change", async () => {
    const id = ids.acme as string;
    const anna = core.manager.list().find((a) => a.id === id)?.userId as number;
    const changed = nextChatChange(core, id);
    await restAs('acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna, MESSAGE: 'Ping from ben' });
    const { dialogId } = await changed;
    const ben = (await core.chats.list({ id })).chats.find((c) => c.kind === 'user' && c.title.startsWith('Ben'));
    assert.equal(dialogId, ben?.dialogId);
    assert.equal(ben?.lastMessage?.text, 'Ping from ben');
    assert.equal(ben?.lastMessage?.authorName.startsWith('Ben'), true);
  });

  test('500 messages in a burst into a listed, open chat are applied in place: each arrives once as a delta, and the portal is asked nothing', async () => {
    const id = ids.acme as string;
    const anna = core.manager.list().find((a) => a.id === id)?.userId as number;
    await until(() => core.manager.isLive(id), 'acme live');
    const { chats } = await core.chats.list({ id });
    const benChat = chats.find((c) => c.kind === 'user' && c.title.startsWith('Ben'));
    assert.ok(benChat, 'the dialog with ben is listed');
    await core.chats.messages({ id, dialogId: benChat.dialogId });
    const annasCalls = () =>
      portal.requests.filter((r) => r.host.startsWith('acme.') && r.path.startsWith('/rest/') && !r.path.startsWith('/rest/im.message.add'))
        .length;
    const before = annasCalls();
    const arrived: number[] = [];
    const reloads: (string | undefined)[] = [];
    const onDelta = (accountId: string, delta: ChatDelta) => {
      if (accountId === id && delta.dialogId === benChat.dialogId && delta.message) arrived.push(delta.message.id);
    };
    const onChanged = (accountId: string, dialogId?: string) => {
      if (accountId === id) reloads.push(dialogId);
    };
    core.chats.on('delta', onDelta);
    core.chats.on('changed', onChanged);
    try {
      const { access_token } = await signInAs(portal, 'acme', 'ben@example.com');
      const post = (n: number) =>
        fetch(`${portal.url('acme')}/rest/im.message.add.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ DIALOG_ID: anna, MESSAGE: `Burst ${n}`, auth: access_token }),
        }).then(async (r) => (await r.json()) as { result: number });
      const sent: number[] = [];
      for (let n = 0; n < 500; n += 50) {
        const answers = await Promise.all(Array.from({ length: 50 }, (_, k) => post(n + k)));
        sent.push(...answers.map((a) => a.result));
      }
      await until(
        () => arrived.length >= 500,
        () => `${arrived.length} of 500 arrived`,
      );
      assert.equal(new Set(arrived).size, 500, 'each message once');
      assert.deepEqual(
        [...arrived].sort((a, b) => a - b),
        [...sent].sort((a, b) => a - b),
        'exactly the messages sent',
      );
      assert.deepEqual(reloads, [], 'nothing had to be reloaded');
      const listed = (await core.chats.list({ id })).chats.find((c) => c.dialogId === benChat.dialogId);
      assert.equal(listed?.lastMessage?.id, Math.max(...sent), 'the list shows the newest message');
      assert.equal(listed?.lastMessage?.authorName.startsWith('Ben'), true);
      const page = await core.chats.messages({ id, dialogId: benChat.dialogId });
      assert.ok(page.ok);
      const newest = [...sent].sort((a, b) => a - b).slice(-page.messages.length);
      assert.deepEqual(
        page.messages.map((m) => m.id),
        newest,
        'the newest page of the open dialog is the newest messages',
      );
      assert.equal(page.hasOlder, true);
      assert.equal(annasCalls(), before, 'no REST call for the messages, the list or the open dialog');
    } finally {
      core.chats.off('delta', onDelta);
      core.chats.off('changed', onChanged);
    }
  });
});
