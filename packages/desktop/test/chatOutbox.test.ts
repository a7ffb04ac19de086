import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { MessagesResult } from '@multidesk/protocol';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs } from '../../portal/test/tokens.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore, until as waitUntil } from './coreHarness.ts';

type TestCore = Awaited<ReturnType<typeof startTestCore>>;

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

/** The outbox's waits are long: a rate-limited burst takes a while. */
const until = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 30_000) => waitUntil(check, what, ms);

/** Waits until everything the account queued has been posted (a failed entry keeps it waiting). */
function outboxEmpty(core: TestCore, id: string, ms?: number): Promise<void> {
  const outbox = core.manager.access(id).cache.outbox;
  return until(
    () => outbox.list().length === 0,
    () => `the outbox still holds ${JSON.stringify(outbox.list())}`,
    ms,
  );
}

/** Resolves when the account's realtime link is live (at once if it is). */
function live(core: TestCore, id: string): Promise<void> {
  return until(() => core.manager.isLive(id), 'the account never went live');
}

/**
 * A TCP relay in front of the test portal: the network between the core and the portal. Stopped,
 * the portal is down for the core (connections refused) while it keeps its database; started again
 * on the same port, it is back.
 */
class Relay {
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(portal.port, '127.0.0.1');
      this.#sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => this.#sockets.delete(client));
      upstream.on('close', () => this.#sockets.delete(upstream));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Anna signed in to acme through `relay` (the direct portal when none); her account id and user id. */
async function signInAnna(core: TestCore, port = portal.port): Promise<{ id: string; userId: number }> {
  const { id, userId } = await signInAt(core, port, 'acme');
  await live(core, id);
  return { id, userId };
}

/** The dialog with ben as anna's account names it. */
async function benDialog(core: TestCore, id: string): Promise<string> {
  const ben = (await core.chats.list({ id })).chats.find((c) => c.kind === 'user' && c.title.startsWith('Ben'));
  assert.ok(ben, 'the demo has a dialog between anna and ben');
  return ben.dialogId;
}

/** The texts of ben's dialog with anna as ben sees them on the portal, oldest first. */
async function textsBenSees(annaUserId: number): Promise<string[]> {
  const page = await restAs(portal, 'acme', 'ben@example.com', 'im.dialog.messages.get', { DIALOG_ID: annaUserId, LIMIT: 50 });
  return (page.messages as { id: number; text: string }[]).sort((a, b) => a.id - b.id).map((m) => m.text);
}

/** `messages()` answered with a page (a refusal fails the test). */
function page(result: MessagesResult): Extract<MessagesResult, { ok: true }> {
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

const messageAdds = (p: TestPortal) => p.requests.filter((r) => r.path === '/rest/im.message.add').length;

describe('the outbox', () => {
  test('messages written while the portal is down wait, are shown as pending, and go out once, in order, when it is back', async () => {
    const relay = new Relay();
    await relay.start();
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAnna(core, relay.port);
      const dialogId = await benDialog(core, anna.id);
      const fresh = page(await core.chats.messages({ id: anna.id, dialogId }));
      assert.equal(fresh.stale, false);
      assert.ok(fresh.messages.length > 0, 'the demo dialog has history');

      await relay.stop();
      await until(() => !core.manager.isLive(anna.id), 'the realtime link to notice the portal is gone');
      const texts = ['Down 1: are you there?', 'Down 2: the portal is down', 'Down 3: sending anyway'];
      for (const text of texts) {
        const sent = await core.chats.send({ id: anna.id, dialogId, text });
        assert.ok(sent.ok, JSON.stringify(sent));
        assert.ok(['waiting', 'sending'].includes(sent.pending.status), sent.pending.status);
        assert.equal(sent.pending.text, text);
      }
      const offline = page(await core.chats.messages({ id: anna.id, dialogId }));
      assert.equal(offline.stale, true, 'the portal cannot be reached: the saved page');
      assert.deepEqual(offline.messages, fresh.messages);
      assert.deepEqual(
        offline.pending.map((p) => p.text),
        texts,
      );
      assert.ok(
        offline.pending.every((p) => p.status !== 'failed' && p.dialogId === dialogId),
        JSON.stringify(offline.pending),
      );
      assert.equal((await textsBenSees(anna.userId)).filter((t) => t.startsWith('Down ')).length, 0, 'nothing reached the portal yet');

      await relay.start();
      await outboxEmpty(core, anna.id);
      assert.deepEqual(
        (await textsBenSees(anna.userId)).filter((t) => t.startsWith('Down ')),
        texts,
        'each arrived once, in order',
      );
      const back = page(await core.chats.messages({ id: anna.id, dialogId }));
      assert.equal(back.stale, false);
      assert.deepEqual(back.pending, []);
      assert.deepEqual(
        back.messages.slice(-3).map((m) => m.text),
        texts,
      );
    } finally {
      await core.close();
      core.removeProfile();
      await relay.stop();
    }
  });

  test('messages still waiting when the app quits are sent once after the next start', async () => {
    const relay = new Relay();
    await relay.start();
    const vault = new MemoryVault();
    const first = await startTestCore(vault);
    let second: TestCore | null = null;
    try {
      const anna = await signInAnna(first, relay.port);
      const dialogId = await benDialog(first, anna.id);
      await relay.stop();
      const texts = ['Before quitting 1', 'Before quitting 2'];
      for (const text of texts) assert.ok((await first.chats.send({ id: anna.id, dialogId, text })).ok);
      // Let the attempts fail (connection refused) so no request is in flight when the app quits:
      // quitting mid-request is the next test.
      await until(() => first.manager.list()[0]?.problem !== undefined, 'the send attempt failed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.close();

      // The same profile and the same vault: the app starting again.
      second = await startTestCore(vault, first.profileDir);
      assert.equal(second.manager.list()[0]?.state, 'connected');
      const waiting = page(await second.chats.messages({ id: anna.id, dialogId }));
      assert.equal(waiting.stale, true);
      assert.deepEqual(
        waiting.pending.map((p) => [p.text, p.status]),
        texts.map((t) => [t, 'waiting']),
      );

      const chats = await second.chats.list({ id: anna.id });
      assert.deepEqual([chats.stale, chats.problem], [true, { code: 'connecting' }]);
      assert.ok(
        chats.chats.some((c) => c.dialogId === dialogId),
        'the saved list is shown while connecting',
      );

      await relay.start();
      await outboxEmpty(second, anna.id);
      assert.deepEqual(
        (await textsBenSees(anna.userId)).filter((t) => t.startsWith('Before quitting')),
        texts,
      );
    } finally {
      await second?.close();
      first.removeProfile();
      await relay.stop();
    }
  });

  test('quitting while a send is in flight raises no error afterwards', async () => {
    const relay = new Relay();
    await relay.start();
    const core = await startTestCore(new MemoryVault());
    // A portal that takes connections and never answers: the send stays in flight.
    const silent = new Set<Socket>();
    const blackHole = createServer((socket) => {
      silent.add(socket);
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const anna = await signInAnna(core, relay.port);
      const dialogId = await benDialog(core, anna.id);
      await relay.stop();
      await new Promise<void>((resolve) => blackHole.listen(relay.port, '127.0.0.1', resolve));
      const sent = await core.chats.send({ id: anna.id, dialogId, text: 'In flight at quit' });
      assert.ok(sent.ok);
      assert.ok((await core.chats.send({ id: anna.id, dialogId, text: 'Queued behind it' })).ok);
      await until(() => silent.size > 0, 'the send reached the silent portal');
      await core.close();
      // Longer than the first retry's longest wait (2 s): a timer left behind would have fired.
      await until(() => rejections.length > 0, 'nothing went wrong', 2_500).catch(() => {});
      assert.deepEqual(
        rejections.map((r) => String(r)),
        [],
        'the closed core kept sending from its closed outbox',
      );
    } finally {
      process.off('unhandledRejection', onRejection);
      for (const socket of silent) socket.destroy();
      blackHole.close();
      core.removeProfile();
    }
  });

  test('a proxy answering 502 while the portal restarts is an outage, not a refusal: the message waits and goes out once', async () => {
    const relay = new Relay();
    await relay.start();
    const core = await startTestCore(new MemoryVault());
    let gatewayHits = 0;
    const gateway = createHttpServer((request, response) => {
      if (request.url?.startsWith('/rest/im.message.add')) gatewayHits++;
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
    });
    try {
      const anna = await signInAnna(core, relay.port);
      const dialogId = await benDialog(core, anna.id);
      await relay.stop();
      await new Promise<void>((resolve) => gateway.listen(relay.port, '127.0.0.1', resolve));
      const sent = await core.chats.send({ id: anna.id, dialogId, text: 'Through the gateway' });
      assert.ok(sent.ok);
      const outbox = core.manager.access(anna.id).cache.outbox;
      await until(() => outbox.get(sent.pending.clientId)?.error != null || gatewayHits >= 2, 'a second attempt or a refusal');
      assert.equal(outbox.get(sent.pending.clientId)?.error ?? null, null, 'a 502 says nothing about the message');

      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      gateway.closeAllConnections();
      await relay.start();
      await outboxEmpty(core, anna.id);
      assert.equal((await textsBenSees(anna.userId)).filter((t) => t === 'Through the gateway').length, 1);
    } finally {
      gateway.closeAllConnections();
      gateway.close();
      await core.close();
      core.removeProfile();
      await relay.stop();
    }
  });

  test('a burst of messages against the rate limit all arrive, in order, none twice, none failed; a read goes ahead of them', async () => {
    const limited = await startTestPortal({ limits: { restBurst: 10, restDrainPerSecond: 10 } });
    const core = await startTestCore(new MemoryVault());
    try {
      const { id, userId } = await signInAnna(core, limited.port);
      // Ben's dialog as anna names it: his user id.
      const benId = (await restAs(limited, 'acme', 'ben@example.com', 'user.current', {})).ID;
      const dialogId = String(benId);
      const texts = Array.from({ length: 40 }, (_, i) => `Burst ${i + 1}`);
      const addsBefore = messageAdds(limited);
      for (const text of texts) {
        const sent = await core.chats.send({ id, dialogId, text });
        assert.ok(sent.ok, JSON.stringify(sent));
      }
      const outbox = core.manager.access(id).cache.outbox;
      // While the outbox spends the portal's budget, reading the chats goes first: a fresh list,
      // no error, answered while sends are still waiting.
      const view = await core.chats.list({ id });
      assert.equal(view.stale, false, 'the read went ahead of the queued sends');
      assert.equal(view.problem, undefined, JSON.stringify(view.problem));
      assert.ok(outbox.list().length > 0, 'the outbox was still sending');
      assert.equal(core.manager.list().find((a) => a.id === id)?.problem, undefined, 'no error shown on the account');
      let failed: unknown = null;
      await until(
        () => {
          failed ??= outbox.list().find((e) => e.error !== null) ?? null;
          return failed !== null || outbox.list().length === 0;
        },
        () => `the outbox still holds ${outbox.list().length}`,
        60_000,
      );
      assert.equal(failed, null, 'a rate-limited message is retried, never marked failed');
      assert.ok(messageAdds(limited) > addsBefore + texts.length, 'the portal refused some: the limit was reached');
      const page = await restAs(limited, 'acme', 'ben@example.com', 'im.dialog.messages.get', {
        DIALOG_ID: userId,
        LIMIT: 50,
      });
      const seen = (page.messages as { id: number; text: string }[])
        .sort((a, b) => a.id - b.id)
        .map((m) => m.text)
        .filter((t) => t.startsWith('Burst '));
      assert.deepEqual(seen, texts);
    } finally {
      await core.close();
      core.removeProfile();
      await limited.close();
    }
  });

  test('a message the portal refuses is marked failed with a clear reason; retry and discard act on it, and the rest go on', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAnna(core);
      const dialogId = await benDialog(core, anna.id);
      // A chat of ben and olivia: anna is not in it.
      const olivia = core.home.people(anna.id).find((p) => p.name === 'Olivia');
      assert.ok(olivia, 'olivia is on acme');
      const chatId = await restAs(portal, 'acme', 'ben@example.com', 'im.chat.add', { TITLE: 'Ben and Olivia', USERS: [olivia.id] });
      const privateChat = `chat${chatId}`;

      const refused = await core.chats.send({ id: anna.id, dialogId: privateChat, text: 'Can I join?' });
      assert.ok(refused.ok, JSON.stringify(refused));
      const after = await core.chats.send({ id: anna.id, dialogId, text: 'Sent after the refused one' });
      assert.ok(after.ok);
      const outbox = core.manager.access(anna.id).cache.outbox;
      const clientId = refused.pending.clientId;
      await until(
        () => outbox.get(clientId)?.error != null && outbox.get(after.pending.clientId) === null,
        'the refusal and the next send',
      );
      assert.equal(outbox.get(clientId)?.error?.code, 'ACCESS_DENIED');
      assert.equal((await textsBenSees(anna.userId)).filter((t) => t === 'Sent after the refused one').length, 1);

      const adds = messageAdds(portal);
      assert.deepEqual(await core.chats.retrySend({ id: anna.id, clientId }), { ok: true });
      assert.equal(outbox.get(clientId)?.error, null, 'back in the queue');
      await until(() => outbox.get(clientId)?.error != null, 'refused again');
      assert.equal(messageAdds(portal), adds + 1, 'sent once more');
      assert.equal(outbox.get(clientId)?.error?.code, 'ACCESS_DENIED');

      assert.deepEqual(await core.chats.discardSend({ id: anna.id, clientId }), { ok: true });
      assert.equal(outbox.get(clientId), null);
      const again = await core.chats.discardSend({ id: anna.id, clientId });
      assert.deepEqual(again.ok ? 'ok' : again.error, 'not_found');
      const retryGone = await core.chats.retrySend({ id: anna.id, clientId });
      assert.deepEqual(retryGone.ok ? 'ok' : retryGone.error, 'not_found');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('own messages can be edited and deleted; someone else’s cannot, and an empty edit is refused', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAnna(core);
      const dialogId = await benDialog(core, anna.id);
      const sent = await core.chats.send({ id: anna.id, dialogId, text: 'Teh report is ready' });
      assert.ok(sent.ok);
      await outboxEmpty(core, anna.id);
      const mine = page(await core.chats.messages({ id: anna.id, dialogId })).messages.at(-1);
      assert.equal(mine?.text, 'Teh report is ready');
      const messageId = mine?.id as number;

      assert.deepEqual(await core.chats.editMessage({ id: anna.id, dialogId, messageId, text: 'The report is ready' }), { ok: true });
      const edited = page(await core.chats.messages({ id: anna.id, dialogId })).messages.find((m) => m.id === messageId);
      assert.equal(edited?.text, 'The report is ready');
      assert.equal(edited?.edited, true);
      assert.equal(edited?.deleted, false);

      const empty = await core.chats.editMessage({ id: anna.id, dialogId, messageId, text: '   ' });
      assert.deepEqual(empty.ok ? 'ok' : empty.error, 'MESSAGE_EMPTY');
      assert.equal(
        page(await core.chats.messages({ id: anna.id, dialogId })).messages.find((m) => m.id === messageId)?.text,
        'The report is ready',
        'the refused edit changed nothing',
      );

      assert.deepEqual(await core.chats.deleteMessage({ id: anna.id, dialogId, messageId }), { ok: true });
      const deleted = page(await core.chats.messages({ id: anna.id, dialogId })).messages.find((m) => m.id === messageId);
      assert.equal(deleted?.deleted, true);
      assert.equal(deleted?.text, '');

      const bens = (await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', {
        DIALOG_ID: anna.userId,
        MESSAGE: 'Mine, not yours',
      })) as number;
      const foreign = await core.chats.editMessage({ id: anna.id, dialogId, messageId: bens, text: 'Hijacked' });
      assert.equal(foreign.ok, false);
      if (!foreign.ok) {
        // The Messenger words ACCESS_DENIED on an edit or a deletion as "only your own messages".
        assert.equal(foreign.error, 'ACCESS_DENIED');
      }
      const foreignDelete = await core.chats.deleteMessage({ id: anna.id, dialogId, messageId: bens });
      assert.equal(foreignDelete.ok, false);
      const untouched = page(await core.chats.messages({ id: anna.id, dialogId })).messages.find((m) => m.id === bens);
      assert.deepEqual([untouched?.text, untouched?.edited, untouched?.deleted], ['Mine, not yours', false, false]);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a dialog opened once is shown from its saved page, stale, while the account is disconnected', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAnna(core);
      const dialogId = await benDialog(core, anna.id);
      const fresh = page(await core.chats.messages({ id: anna.id, dialogId }));
      assert.equal(fresh.stale, false);
      assert.ok(fresh.messages.length > 0);
      await core.manager.disconnect(anna.id);
      const saved = page(await core.chats.messages({ id: anna.id, dialogId }));
      assert.equal(saved.stale, true);
      assert.deepEqual(saved.messages, fresh.messages);
      assert.equal(saved.hasOlder, false);
      assert.equal(typeof saved.fetchedAt, 'number');
      const neverOpened = page(await core.chats.messages({ id: anna.id, dialogId: 'chat999999' }));
      assert.deepEqual([neverOpened.messages, neverOpened.stale, neverOpened.fetchedAt], [[], true, null]);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
