import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PULL_CHANNEL_TTL_SECONDS, PULL_LONG_POLL_EXPIRES, PullCloseCode, type PullMessage } from '@multidesk/protocol';
import type { CompiledQuery } from 'kysely';
import { buildApp } from '../src/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import { appTokens, createTestApp } from './appClient.ts';
import type { TestPortal } from './harness.ts';
import { type ImUserClient, newImUser } from './imClient.ts';
import { commandsOf, PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { oauthClient } from './sdkClient.ts';
import { desktopSignIn } from './signIn.ts';
import { call, restPortal, signInAs, webhookFor } from './tokens.ts';

const { portal, acme } = await restPortal({ limits: { restBurst: Infinity, realtimePingIntervalMs: 150, pullLongPollMs: 600 } });
/** A portal whose clock the tests move (channel expiry), so that the other tests' channels stay valid. */
const timed = await restPortal({ limits: { restBurst: Infinity } });
/** Server version 5: JSON-RPC framing and a JWT instead of the private channel. */
const v5 = await restPortal({ limits: { restBurst: Infinity, pullServerVersion: 5, pullJsonRpcPingMs: 200 } });

let ada: ImUserClient;
let bo: ImUserClient;
before(async () => {
  ada = await newImUser(portal, 'ada@example.com', ['acme']);
  bo = await newImUser(portal, 'bo@example.com', ['acme']);
});

const MID = /^\d{26}$/;
const params = (message: PullMessage | undefined) => (message?.body.params ?? {}) as Record<string, any>;
const connect = async (who: ImUserClient, options: { mid?: string | null; base?: string } = {}) =>
  PullTestClient.open(pullUrl(await pullConfig({ base: options.base ?? acme, token: who.token }), { mid: options.mid }));

describe('pull.config.get', () => {
  test('names the push server on the origin asked and signed private and shared channels of 12 hours', async () => {
    const config = await pullConfig({ base: acme, token: bo.token });
    const host = new URL(acme).host;
    assert.equal(config.server.version, 4);
    assert.equal(config.server.websocket, `ws://${host}/bitrix/subws/`);
    assert.equal(config.server.websocket_secure, `wss://${host}/bitrix/subws/`);
    assert.equal(config.server.long_polling, `http://${host}/bitrix/sub/`);
    assert.equal(config.api.revision_web, 19);
    const { private: mine, shared } = config.channels;
    assert.ok(mine && shared);
    assert.match(mine.id, /^[0-9a-f]{32}:[0-9a-f]{32}\.[0-9a-f]{40}$/);
    assert.match(shared.id, /^[0-9a-f]{32}\.[0-9a-f]{40}$/);
    assert.equal(Date.parse(mine.end) - Date.parse(mine.start), PULL_CHANNEL_TTL_SECONDS * 1000);
    assert.equal(config.jwt, undefined);
    const again = await pullConfig({ base: acme, token: bo.token });
    assert.equal(again.channels.private?.id, mine.id, 'the same channel while it has long to live');
    const other = await pullConfig({ base: acme, token: ada.token });
    assert.notEqual(other.channels.private?.id, mine.id);
    assert.equal(other.channels.shared?.id, shared.id, 'one shared channel per portal');
  });

  test('a webhook needs the pull_channel scope; an app token is refused with WRONG_AUTH_TYPE and gets its own channel instead', async () => {
    const withScope = await webhookFor(portal, 'acme', 'bo@example.com', ['im', 'pull_channel']);
    assert.ok((await pullConfig({ webhook: withScope.url })).channels.private);
    const without = await webhookFor(portal, 'acme', 'bo@example.com', ['im']);
    const refused = await call(`${without.url}/pull.config.get`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'insufficient_scope');

    // Granted pull_channel too, the app is still refused: the method is closed to OAuth itself.
    const app = await createTestApp(portal, 'acme', undefined, ['im', 'pull', 'pull_channel']);
    const tokens = await appTokens(portal, 'acme', app, 'bo@example.com');
    const appConfig = await call(`${acme}/rest/pull.config.get?auth=${tokens.access_token}`);
    assert.equal(appConfig.status, 403);
    assert.equal(appConfig.body.error, 'WRONG_AUTH_TYPE');
    const own = await call(`${acme}/rest/pull.application.config.get?auth=${tokens.access_token}`);
    assert.equal(own.status, 200);
    assert.equal(own.body.result.channels.private.type, 'application');
    // A webhook granted `pull` is no app: Bitrix24 refuses it the app's channels (PROTOCOL.md §2.3).
    const hook = await webhookFor(portal, 'acme', 'bo@example.com', ['im', 'pull']);
    const asUser = await call(`${hook.url}/pull.application.config.get`);
    assert.equal(asUser.status, 403);
    assert.equal(asUser.body.error, 'WRONG_AUTH_TYPE');

    // The app's channel is a real one, but the user's messages never go there.
    const appSocket = await PullTestClient.open(pullUrl(own.body.result));
    const userSocket = await connect(bo);
    await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'not for apps' });
    assert.deepEqual(commandsOf(await userSocket.take(1)), ['im/message']);
    assert.deepEqual(await appSocket.quiet(), []);
    appSocket.close();
    userSocket.close();
    // Read, so that the tests after this one start from no unread messages.
    await bo.result('im.dialog.read', { DIALOG_ID: ada.id });
  });
});

describe('Push & Pull WebSocket (server version 4)', () => {
  test('a message another user sends with the official SDK arrives live as im/message, in Bitrix24 framing', async () => {
    const client = await connect(bo);
    const sender = oauthClient(await signInAs(portal, 'acme', 'ada@example.com'));
    const response = await sender.actions.v2.call.make({
      method: 'im.message.add',
      params: { DIALOG_ID: bo.id, MESSAGE: 'Live from the SDK' },
    });
    assert.ok(response.isSuccess, response.getErrorMessages().join('; '));
    const messageId = response.getData()!.result as number;

    const arrived = await client.next();
    assert.match(client.frames[0] ?? '', /^#!NGINXNMS!#\{"id":\d+,"mid":"\d{26}","channel":"[0-9a-f]{32}",.*#!NGINXNME!#$/s);
    assert.match(arrived.mid, MID);
    assert.equal(`${arrived.body.module_id}/${arrived.body.command}`, 'im/message');
    const p = params(arrived);
    assert.equal(p.dialogId, ada.id, 'a private dialog is named by the other user, as a number');
    assert.equal(p.counter, 1);
    assert.deepEqual(
      { id: p.message.id, text: p.message.text, senderId: p.message.senderId, recipientId: p.message.recipientId },
      { id: messageId, text: 'Live from the SDK', senderId: ada.id, recipientId: String(ada.id) },
    );
    assert.deepEqual(p.chat, [], 'an empty map is []');
    assert.equal(arrived.body.extra?.revision_web, 19);
    client.close();
  });

  test('ids grow by one per event for each user, whatever the chat and whoever caused it', async () => {
    const cy = await newImUser(portal, 'cy@example.com', ['acme']);
    const client = await connect(cy);
    const chat = await ada.result('im.chat.add', { TITLE: 'Seq', USERS: [cy.id, bo.id] });
    await ada.result('im.message.add', { DIALOG_ID: `chat${chat}`, MESSAGE: 'one' });
    await bo.result('im.message.add', { DIALOG_ID: cy.id, MESSAGE: 'two' });
    const mine = await cy.result('im.message.add', { DIALOG_ID: `chat${chat}`, MESSAGE: 'three' });
    await cy.result('im.message.update', { MESSAGE_ID: mine, MESSAGE: 'three!' });
    await cy.result('im.dialog.read', { DIALOG_ID: bo.id });
    await cy.result('im.message.delete', { MESSAGE_ID: mine });
    const got = await client.take(7);
    assert.deepEqual(commandsOf(got), [
      'im/chatUserAdd',
      'im/messageChat',
      'im/message',
      'im/messageChat',
      'im/messageUpdate',
      'im/readMessage',
      'im/messageDelete',
    ]);
    const first = client.ids[0] as number;
    assert.deepEqual(
      client.ids,
      got.map((_, i) => first + i),
    );
    assert.deepEqual(
      got.map((m) => m.mid.slice(10)),
      client.ids.map((id) => String(id).padStart(16, '0')),
    );
    assert.equal(params(got[1]).counter, 1, 'ada’s message in the chat is unread for cy');
    assert.equal(params(got[2]).counter, 1);
    const read = params(got[5]);
    assert.deepEqual({ dialogId: read.dialogId, counter: read.counter }, { dialogId: String(bo.id), counter: 0 });
    assert.deepEqual(await client.quiet(), []);
    client.close();
  });

  test('events reach only the members of the chat, on every connection of theirs, with the same mids', async () => {
    const first = await connect(bo);
    const second = await connect({ ...bo, token: (await signInAs(portal, 'acme', 'bo@example.com')).access_token });
    const outsider = await newImUser(portal, 'outsider@example.com', ['acme']);
    const watching = await connect(outsider);
    await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'for bo only' });
    const [a, b] = [await first.take(1), await second.take(1)];
    assert.deepEqual(
      a.map((m) => m.mid),
      b.map((m) => m.mid),
    );
    assert.deepEqual(await watching.quiet(), []);
    for (const c of [first, second, watching]) c.close();
  });

  test('reconnecting with mid replays exactly the missed events in order, then goes on live without duplicates', async () => {
    const client = await connect(bo);
    await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'before the drop' });
    const [seen] = await client.take(1);
    client.close();
    await client.closed;

    const missed: number[] = [];
    for (const text of ['missed 1', 'missed 2', 'missed 3'])
      missed.push(await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: text }));
    const again = await connect(bo, { mid: seen?.mid });
    // A message sent while the replay runs comes after it, once.
    const during = await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'during the replay' });
    const replay = await again.take(4);
    assert.deepEqual(
      replay.map((m) => params(m).message.id),
      [...missed, during],
    );
    const start = BigInt(seen?.mid ?? 0);
    assert.deepEqual(
      replay.map((m) => BigInt(m.mid) - start),
      [1n, 2n, 3n, 4n],
    );
    assert.deepEqual(await again.quiet(), []);
    again.close();
  });

  test('a mid of another log, a malformed one or none resumes nothing and starts from now, without an error', async () => {
    await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'old news' });
    for (const mid of [null, '12345678900000000000000001', 'not-a-mid', '0'.repeat(26)]) {
      const client = await connect(bo, { mid });
      assert.deepEqual(await client.quiet(), [], String(mid));
      await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'new' });
      assert.deepEqual(commandsOf(await client.take(1)), ['im/message']);
      client.close();
    }
  });

  test('replay survives a server restart on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-pull-restart-'));
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
      return { port, base: `http://acme.localhost:${port}`, stop };
    };
    try {
      const first = await start();
      const tokenOf = (email: string, port: number) =>
        desktopSignIn({ url: (name?: string) => `http://${name ? `${name}.` : ''}localhost:${port}` } as TestPortal, 'acme', email);
      const anna = await tokenOf('anna@example.com', first.port);
      const ben = await tokenOf('ben@example.com', first.port);
      const send = (base: string, text: string) =>
        call(`${base}/rest/im.message.add`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ auth: anna.access_token, DIALOG_ID: ben.user_id, MESSAGE: text }),
        });
      const client = await PullTestClient.open(pullUrl(await pullConfig({ base: first.base, token: ben.access_token })));
      assert.equal((await send(first.base, 'first')).status, 200);
      const [seen] = await client.take(1);
      client.close();
      assert.equal((await send(first.base, 'before the restart')).status, 200);
      await first.stop();

      const second = await start();
      const config = await pullConfig({ base: second.base, token: ben.access_token });
      const again = await PullTestClient.open(pullUrl(config, { mid: seen?.mid }));
      const [replayed] = await again.take(1);
      assert.equal(params(replayed).message.text, 'before the restart');
      assert.equal(BigInt(replayed?.mid ?? 0) - BigInt(seen?.mid ?? 0), 1n);
      assert.equal((await send(second.base, 'after the restart')).status, 200);
      assert.equal(params(await again.next()).message.text, 'after the restart');
      again.close();
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a channel id with a bad signature, of another portal or missing is closed with 4010', async () => {
    const config = await pullConfig({ base: acme, token: bo.token });
    const { private: mine, shared } = config.channels;
    const base = config.server.websocket;
    const tampered = `${mine?.id.slice(0, -1)}${mine?.id.endsWith('0') ? '1' : '0'}`;
    for (const query of [
      `CHANNEL_ID=${tampered}/${shared?.id}`,
      `CHANNEL_ID=${shared?.id}`,
      'CHANNEL_ID=',
      'revision=19',
      `CHANNEL_ID=${'x'.repeat(2000)}`,
    ]) {
      const client = await PullTestClient.open(`${base}?${query}`);
      assert.equal((await client.closed).code, PullCloseCode.wrongChannelId, query.slice(0, 60));
    }
    const elsewhere = await PullTestClient.open(pullUrl(config).replace(new URL(acme).host, new URL(portal.url('globex')).host));
    assert.equal((await elsewhere.closed).code, PullCloseCode.wrongChannelId, 'a channel of acme is no channel of globex');
  });

  test('an expired channel gets channel_expire and close 3001; a fresh config connects again', async () => {
    const who = await newImUser(timed.portal, 'expiring@example.com', ['acme']);
    const config = await pullConfig({ base: timed.acme, token: who.token });
    timed.portal.clock.advance(PULL_CHANNEL_TTL_SECONDS * 1000 + 1000);
    const late = await PullTestClient.open(pullUrl(config));
    assert.equal((await late.closed).code, PullCloseCode.channelExpired);
    const polled = await call(pullUrl(config, { longPolling: true }));
    assert.equal(polled.status, 200);
    assert.match(String(polled.body), /"command":"channel_expire"/);

    const token = (await signInAs(timed.portal, 'acme', 'expiring@example.com')).access_token;
    const fresh = await pullConfig({ base: timed.acme, token });
    assert.notEqual(fresh.channels.private?.id, config.channels.private?.id);
    const client = await PullTestClient.open(pullUrl(fresh));
    client.close();
    assert.equal((await client.closed).code, 1005);
  });

  test('a member who is deactivated while listening is closed with 4010 at the next ping', async () => {
    const leaving = await newImUser(portal, 'leaving@example.com', ['acme']);
    const client = await connect(leaving);
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', leaving.id).execute();
    assert.equal((await client.closed).code, PullCloseCode.wrongChannelId);
  });

  test('the keepalive reads each member once, however many sockets the member holds (no burst of reads every 30 s)', async () => {
    const many = await newImUser(portal, 'many.devices@example.com', ['acme']);
    const config = await pullConfig({ base: acme, token: many.token });
    const clients = await Promise.all(Array.from({ length: 20 }, () => PullTestClient.open(pullUrl(config))));
    const executor = portal.db.getExecutor();
    const original = executor.executeQuery;
    let memberReads = 0;
    executor.executeQuery = ((query: CompiledQuery, options?: Parameters<typeof original>[1]) => {
      if (/from "members"/i.test(query.sql)) memberReads++;
      return original.call(executor, query, options);
    }) as typeof original;
    try {
      // Three keepalives (every 150 ms here).
      await new Promise((resolve) => setTimeout(resolve, 3 * 150 + 50));
    } finally {
      executor.executeQuery = original;
    }
    assert.ok(memberReads >= 1 && memberReads <= 4, `${memberReads} reads of members in three keepalives of 20 sockets`);
    for (const client of clients) {
      assert.equal(client.socket.readyState, client.socket.OPEN, 'an active member keeps listening');
      client.close();
    }
  });

  test('a client that stops answering pings is dropped without a close frame', async () => {
    const client = await PullTestClient.open(pullUrl(await pullConfig({ base: acme, token: bo.token })), { autoPong: false });
    assert.equal((await client.closed).code, 1006);
  });

  test('an open socket keeps nothing of the HTTP request it was upgraded from (memory per idle socket, issue 15)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const requests: WeakRef<object>[] = [];
    const keep = (request: object) => requests.push(new WeakRef(request));
    portal.app.server.on('upgrade', keep);
    try {
      const clients = [await connect(bo), await connect(ada)];
      await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'heard on an idle socket' });
      assert.equal(params(await clients[0]?.next()).message.text, 'heard on an idle socket');
      assert.equal(requests.length, 2);
      // A WeakRef's target lives to the end of the job that made it: collect on a later turn.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      assert.deepEqual(
        requests.map((request) => request.deref() === undefined),
        [true, true],
        'the upgrade requests were collected while their sockets stay open',
      );
      for (const client of clients) assert.equal(client?.socket.readyState, client?.socket.OPEN);
      for (const client of clients) client?.close();
    } finally {
      portal.app.server.off('upgrade', keep);
    }
  });

  test('a plain GET of the WebSocket address is told to upgrade (426)', async () => {
    const config = await pullConfig({ base: acme, token: bo.token });
    const answer = await call(pullUrl(config).replace(/^ws/, 'http'));
    assert.equal(answer.status, 426);
    assert.equal(answer.body.error, 'UPGRADE_REQUIRED');
  });

  test('the network address and unknown hosts serve no Push & Pull', async () => {
    const config = await pullConfig({ base: acme, token: bo.token });
    for (const host of [new URL(portal.url()).host, new URL(portal.url('nowhere')).host]) {
      const url = pullUrl(config).replace(new URL(acme).host, host);
      await assert.rejects(
        (async () => {
          const client = await PullTestClient.open(url);
          const closed = await client.closed;
          throw new Error(`closed ${closed.code}`);
        })(),
        /upgrade refused: 404|closed 4010/,
      );
      assert.equal((await call(pullUrl(config, { longPolling: true }).replace(new URL(acme).host, host))).status, 404);
    }
  });

  test('a task change made over REST reaches its participants as tasks/task_add', async () => {
    const anna = await signInAs(portal, 'acme', 'anna@example.com');
    const client = await connect(ada);
    const added = await call(`${acme}/rest/tasks.task.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: anna.access_token, fields: { TITLE: 'Pull task', RESPONSIBLE_ID: ada.id } }),
    });
    const event = await client.next();
    assert.equal(`${event.body.module_id}/${event.body.command}`, 'tasks/task_add');
    assert.equal(params(event).TASK_ID, Number(added.body.result.task.id));
    assert.equal(params(event).AFTER.TITLE, 'Pull task');
    client.close();
  });
});

describe('long polling', () => {
  test('answers at once with what the mid missed, holds until an event comes, and says 304 with where it stands when none does', async () => {
    const config = await pullConfig({ base: acme, token: bo.token });
    const idle = await call(pullUrl(config, { longPolling: true }));
    assert.equal(idle.status, 304);
    const position = idle.headers.get('last-message-id') ?? '';
    assert.match(position, MID);
    assert.equal(idle.headers.get('expires'), PULL_LONG_POLL_EXPIRES);

    const held = call(pullUrl(config, { longPolling: true, mid: position }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'to the poller' });
    const answer = await held;
    assert.equal(answer.status, 200);
    const text = String(answer.body);
    assert.match(text, /^#!NGINXNMS!#/);
    assert.match(text, new RegExp(`"id":${id}`));

    await ada.result('im.message.add', { DIALOG_ID: bo.id, MESSAGE: 'missed by the poller' });
    const catchUp = await call(pullUrl(config, { longPolling: true, mid: position }));
    assert.equal(catchUp.status, 200);
    assert.match(String(catchUp.body), /to the poller.*missed by the poller/s);
  });

  test('a bad channel id is 400', async () => {
    const answer = await call(`${new URL(acme).origin}/bitrix/sub/?CHANNEL_ID=nope`);
    assert.equal(answer.status, 400);
  });
});

describe('server version 5 (JSON-RPC)', () => {
  test('the config carries a JWT and no private channel; messages come as incoming.message; text ping, pong and the ping method work', async () => {
    const who = await newImUser(v5.portal, 'rpc@example.com', ['acme']);
    const writer = await newImUser(v5.portal, 'rpc-writer@example.com', ['acme']);
    const config = await pullConfig({ base: v5.acme, token: who.token });
    assert.equal(config.server.version, 5);
    assert.equal(config.channels.private, undefined);
    assert.match(config.jwt ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const client = await PullTestClient.open(pullUrl(config));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(client.frames[0], 'ping', 'the first text ping comes at once');
    client.send('pong');
    client.send(JSON.stringify({ jsonrpc: '2.0', method: 'ping', params: {}, id: 7 }));
    await writer.result('im.message.add', { DIALOG_ID: who.id, MESSAGE: 'over JSON-RPC' });
    const message = await client.next();
    assert.equal(params(message).message.text, 'over JSON-RPC');
    const incoming = client.frames.find((f) => f.includes('incoming.message')) ?? '';
    assert.equal(JSON.parse(incoming).method, 'incoming.message');
    assert.ok(client.frames.some((f) => f.startsWith('{') && JSON.parse(f).id === 7 && 'result' in JSON.parse(f)));
    client.send(`mack:${message.mid}`);
    client.send('{not json');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(
      client.frames.some((f) => f.includes('-32700')),
      'a parse error answered, the socket kept',
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.ok(client.frames.filter((f) => f === 'ping').length >= 2, 'text pings keep coming');
    assert.equal(client.socket.readyState, 1);
    client.close();
  });

  test('a JSON-RPC request whose method is an object with its own toString is answered -32601; the socket and server stay (regression: issue 17, fuzzing)', async () => {
    const who = await newImUser(v5.portal, 'rpc-method@example.com', ['acme']);
    const client = await PullTestClient.open(pullUrl(await pullConfig({ base: v5.acme, token: who.token })));
    for (const [id, method] of [
      [1, { toString: 1 }],
      [2, { valueOf: {}, toString: {} }],
      [3, ['ping']],
      [4, null],
    ] as const) {
      client.send(JSON.stringify({ jsonrpc: '2.0', id, method }));
    }
    client.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }));
    const answers = async () => client.frames.filter((f) => f.startsWith('{"jsonrpc"')).map((f) => JSON.parse(f));
    const deadline = Date.now() + 5000;
    while (!(await answers()).some((a) => a.id === 5) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const byId = new Map((await answers()).map((a) => [a.id, a]));
    for (const id of [1, 2, 3, 4]) assert.equal(byId.get(id)?.error?.code, -32601, `request ${id}`);
    assert.match(byId.get(1).error.message, /^Method not found: object$/);
    assert.deepEqual(byId.get(5)?.result, {});
    assert.equal(client.socket.readyState, 1);
    client.close();
  });

  test('a tampered JWT is closed with 4010', async () => {
    const who = await newImUser(v5.portal, 'rpc-bad@example.com', ['acme']);
    const config = await pullConfig({ base: v5.acme, token: who.token });
    const client = await PullTestClient.open(pullUrl({ ...config, jwt: `${config.jwt}x` }));
    assert.equal((await client.closed).code, PullCloseCode.wrongChannelId);
  });
});

describe('im.v2.Event (polling for apps and webhooks)', () => {
  test('events after subscribe come in order, confirmed by offset, paged by limit; tasks events are not in the feed', async () => {
    const reader = await newImUser(portal, 'poller@example.com', ['acme']);
    assert.deepEqual(await reader.result('im.v2.Event.get'), { events: [], nextOffset: 0, hasMore: false }, 'not subscribed: nothing');
    await ada.result('im.message.add', { DIALOG_ID: reader.id, MESSAGE: 'before subscribing' });
    assert.equal(await reader.result('im.v2.Event.subscribe'), true);
    const ids: number[] = [];
    for (const text of ['one', 'two', 'three']) ids.push(await ada.result('im.message.add', { DIALOG_ID: reader.id, MESSAGE: text }));
    await ada.result('tasks.task.add', { fields: { TITLE: 'Not in the feed', RESPONSIBLE_ID: reader.id } });
    await ada.result('im.message.update', { MESSAGE_ID: ids[0], MESSAGE: 'one!' });

    const page = await reader.result('im.v2.Event.get', { limit: 2 });
    assert.deepEqual(
      page.events.map((e: any) => [e.type, e.data.message?.id]),
      [
        ['ONIMV2MESSAGEADD', ids[0]],
        ['ONIMV2MESSAGEADD', ids[1]],
      ],
    );
    assert.equal(page.hasMore, true);
    assert.equal(page.events[0].data.message.text, 'one');
    const rest = await reader.result('im.v2.Event.get', { offset: page.nextOffset });
    assert.deepEqual(
      rest.events.map((e: any) => [e.type, e.data.message?.id]),
      [
        ['ONIMV2MESSAGEADD', ids[2]],
        ['ONIMV2MESSAGEUPDATE', ids[0]],
      ],
    );
    assert.equal(rest.hasMore, false);
    const confirmed = await reader.result('im.v2.Event.get', { offset: rest.nextOffset });
    assert.deepEqual(confirmed.events, []);
    const without = await reader.result('im.v2.Event.get');
    assert.deepEqual(without.events, [], 'what was confirmed is not read again');

    const bad = await reader.call('im.v2.Event.get', { limit: 5000 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'INVALID_ARG_VALUE');
    assert.equal(await reader.result('im.v2.Event.unsubscribe'), true);
    await ada.result('im.message.add', { DIALOG_ID: reader.id, MESSAGE: 'after unsubscribing' });
    assert.deepEqual((await reader.result('im.v2.Event.get', { offset: confirmed.nextOffset })).events, []);
  });
});
