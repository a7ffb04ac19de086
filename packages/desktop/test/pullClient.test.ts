import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PullBody, PullConfig } from '@multidesk/protocol';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { call, restAs, signInAs } from '../../portal/test/tokens.ts';
import { AccountCache } from '../src/core/accounts/accountCache.ts';
import { RestCallError } from '../src/core/portal/portalSession.ts';
import { PullClient, type PullClientOptions } from '../src/core/realtime/pullClient.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

async function benAddsTaskFor(userId: number, title: string): Promise<number> {
  const added = await restAs(portal, 'acme', 'ben@example.com', 'tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: userId } });
  return Number(added.task.id);
}

/** Every task change and every live link the core reports for the account, in order (events can beat a REST answer). */
function record(core: Awaited<ReturnType<typeof startTestCore>>, id: string) {
  const tasks: { taskId: number; replayed: boolean }[] = [];
  const lives: boolean[] = [];
  core.manager.on('realtime', (accountId, change, replayed) => {
    if (accountId === id && change.kind === 'task-changed') tasks.push({ taskId: change.taskId, replayed });
  });
  core.manager.on('live', (accountId, resumed) => {
    if (accountId === id) lives.push(resumed);
  });
  return { tasks, lives, task: (taskId: number) => tasks.find((t) => t.taskId === taskId) };
}

describe('Push & Pull in the core', () => {
  test('a task ben creates for anna reaches her account live; one created while she was disconnected is replayed on Connect, not reloaded', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAt(core, portal.port, 'acme');
      const id = anna.id;
      const seen = record(core, id);
      await until(() => core.manager.isLive(id), 'live');
      const liveTask = await benAddsTaskFor(anna.userId, 'Live task');
      await until(() => seen.task(liveTask) !== undefined, 'the live task');
      assert.equal(seen.task(liveTask)?.replayed, false, 'the task came as it happened');

      await core.manager.disconnect(id);
      const awayTask = await benAddsTaskFor(anna.userId, 'Task while away');
      const livesBefore = seen.lives.length;
      await core.manager.connect(id);
      // A replay brings the missed event itself, marked replayed, and the link says it resumed; a
      // resync would have reloaded every list (resumed: false) without the event.
      await until(() => seen.task(awayTask) !== undefined, 'the task created while away');
      assert.equal(seen.task(awayTask)?.replayed, true, 'the missed task came as a replayed event');
      await until(() => seen.lives.length > livesBefore, 'live again');
      assert.deepEqual(seen.lives.slice(livesBefore), [true], 'the link resumed from its saved mid: no reload of everything');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test("unread counts come from the portal's counters and follow new messages and reads live", async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAt(core, portal.port, 'acme');
      const id = anna.id;
      const unread = () => core.manager.list().find((a) => a.id === id)?.unread ?? -1;
      await until(() => unread() > 0, 'the demo gives anna unread messages on acme');
      const before = unread();
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.userId, MESSAGE: 'Are you free at three?' });
      await until(() => unread() === before + 1, `unread to go from ${before} to ${before + 1}`);
      const ben = await signInAs(portal, 'acme', 'ben@example.com');
      await restAs(portal, 'acme', 'anna@example.com', 'im.dialog.read', { DIALOG_ID: ben.user_id });
      await until(() => unread() < before + 1, 'reading on another device clears it here');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});

/** A PullClient of anna's on acme, reaching the portal at `origin`, that records what it hears. */
function pullClientFor(origin: string, token: string, overrides: Partial<PullClientOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-pull-'));
  const cache = AccountCache.open(dir);
  const heard: PullBody[] = [];
  const lives: boolean[] = [];
  let configs = 0;
  let downs = 0;
  const client = new PullClient({
    origin,
    cache,
    fetchConfig: async () => {
      configs += 1;
      const reply = await call(`${origin}/rest/pull.config.get?auth=${token}`, { method: 'POST' });
      if (reply.status !== 200) throw new RestCallError(String(reply.body.error), reply.status, String(reply.body.error_description));
      return reply.body.result as PullConfig;
    },
    isRefusal: (error) => error instanceof RestCallError && error.code === 'WRONG_AUTH_TYPE',
    onMessage: (body) => heard.push(body),
    onLive: (resumed) => lives.push(resumed),
    onDown: () => {
      downs += 1;
    },
    onRefused: () => {},
    backoff: { baseMs: 20, capMs: 100 },
    ...overrides,
  });
  return {
    client,
    heard,
    lives,
    configs: () => configs,
    downs: () => downs,
    texts: () => heard.map((body) => (body.params as { message?: { text?: string } }).message?.text).filter(Boolean),
    close: () => {
      client.stop();
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('PullClient against the portal', () => {
  test('messages arrive as im/message; what was sent while it was stopped comes on resume by mid, once each', async () => {
    const anna = await signInAs(portal, 'acme', 'anna@example.com');
    const pull = pullClientFor(portal.url('acme'), anna.access_token);
    try {
      pull.client.start();
      await until(() => pull.client.live, 'live');
      assert.deepEqual(pull.lives, [false], 'no mid yet: the first connection says nothing was resumed');
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'one' });
      await until(() => pull.texts().includes('one'), 'the live message');
      assert.equal(pull.heard.at(-1)?.command, 'message');

      pull.client.stop();
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'two' });
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'three' });
      pull.client.start();
      await until(() => pull.texts().includes('three'), 'the missed messages');
      assert.deepEqual(pull.texts(), ['one', 'two', 'three']);
      assert.deepEqual(pull.lives, [false, true], 'the second connection resumed from the saved mid');
    } finally {
      pull.close();
    }
  });

  test('a channel the server refuses (4010) is dropped: a fresh config is fetched and the link comes up', async () => {
    const anna = await signInAs(portal, 'acme', 'anna@example.com');
    let first = true;
    let fetched = 0;
    const tampered = pullClientFor(portal.url('acme'), anna.access_token, {
      fetchConfig: async () => {
        fetched += 1;
        const reply = await call(`${portal.url('acme')}/rest/pull.config.get?auth=${anna.access_token}`, { method: 'POST' });
        const config = reply.body.result as PullConfig;
        if (!first) return config;
        first = false;
        const mine = config.channels.private as NonNullable<PullConfig['channels']['private']>;
        return { ...config, channels: { ...config.channels, private: { ...mine, id: `${mine.id.slice(0, -4)}0000` } } };
      },
    });
    try {
      tampered.client.start();
      await until(() => tampered.client.live, 'live after the refused channel');
      assert.equal(fetched, 2, 'the refused config, then a fresh one');
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'after 4010' });
      await until(() => tampered.texts().includes('after 4010'), 'a message on the new channel');
    } finally {
      tampered.close();
    }
  });

  test('a config no connection can be made from (shared mode without clientId) is asked for again, not a crash', async () => {
    const anna = await signInAs(portal, 'acme', 'anna@example.com');
    let fetched = 0;
    const pull = pullClientFor(portal.url('acme'), anna.access_token, {
      fetchConfig: async () => {
        fetched += 1;
        const reply = await call(`${portal.url('acme')}/rest/pull.config.get?auth=${anna.access_token}`, { method: 'POST' });
        const config = reply.body.result as PullConfig;
        return fetched === 1 ? { ...config, server: { ...config.server, mode: 'shared' } } : config;
      },
    });
    try {
      pull.client.start();
      await until(() => pull.client.live, 'live with the second config');
      assert.equal(fetched, 2);
    } finally {
      pull.close();
    }
  });

  test('an OAuth app token is refused by pull.config.get: the client stops and says so instead of retrying', async () => {
    let refused: unknown = null;
    let fetches = 0;
    const pull = pullClientFor(portal.url('acme'), 'unused', {
      fetchConfig: async () => {
        fetches += 1;
        throw new RestCallError('WRONG_AUTH_TYPE', 403, 'Method not available for OAuth authorization.');
      },
      onRefused: (error) => {
        refused = error;
      },
    });
    try {
      pull.client.start();
      await until(() => refused !== null, 'the refusal');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(fetches, 1, 'no retry after a refusal');
      assert.equal(pull.client.live, false);
    } finally {
      pull.close();
    }
  });

  test('where WebSockets do not get through (a proxy answers the upgrade with 502), it falls back to long polling', async () => {
    const proxy = await startUpgradeRefusingProxy(portal.port);
    const anna = await signInAs(portal, 'acme', 'anna@example.com');
    const origin = `http://acme.localhost:${proxy.port}`;
    const pull = pullClientFor(origin, anna.access_token);
    try {
      pull.client.start();
      await until(() => pull.client.live, 'live over long polling', 20_000);
      assert.equal(pull.client.transport, 'long-polling');
      assert.ok(proxy.refusedUpgrades() >= 5, `upgrades refused: ${proxy.refusedUpgrades()}`);
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'by long poll' });
      await until(() => pull.texts().includes('by long poll'), 'a message by long polling');
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'and another' });
      await until(() => pull.texts().includes('and another'), 'the next poll');
      assert.deepEqual(pull.texts(), ['by long poll', 'and another']);
    } finally {
      pull.close();
      await proxy.close();
    }
  });

  test('server version 5: JSON-RPC with the JWT, pings answered, messages acknowledged', async () => {
    const v5 = await startTestPortal({ limits: { pullServerVersion: 5, pullJsonRpcPingMs: 200 } });
    const anna = await signInAs(v5, 'acme', 'anna@example.com');
    const pull = pullClientFor(v5.url('acme'), anna.access_token);
    try {
      pull.client.start();
      await until(() => pull.client.live, 'live');
      // Several ping intervals pass: a client that did not answer them would have been dropped as stuck.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(pull.downs(), 0, 'the link stayed up across pings');
      await restAs(v5, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: anna.user_id, MESSAGE: 'over JSON-RPC' });
      await until(() => pull.texts().includes('over JSON-RPC'), 'the message');
      assert.equal(pull.configs(), 1);
    } finally {
      pull.close();
      await v5.close();
    }
  });
});

describe('Pull backoff', () => {
  test('a nudge (the portal answered a REST call) ends the backoff wait and tries at once', async () => {
    const attempts: number[] = [];
    const pull = pullClientFor(portal.url('acme'), 'unused', {
      // The config cannot be had (the portal is away): each attempt fails before any socket opens.
      fetchConfig: async () => {
        attempts.push(Date.now());
        throw new Error('unreachable');
      },
      backoff: undefined,
    });
    try {
      pull.client.start();
      // Four failures: the next wait is drawn from up to 8 s.
      await until(() => attempts.length >= 4, 'four attempts', 30_000);
      const before = attempts.length;
      const nudgedAt = Date.now();
      pull.client.nudge();
      // At once, not after a timer: the next backoff wait (up to 1 s, drawn at random) cannot have
      // run yet, so exactly one attempt is the nudge's own.
      assert.equal(attempts.length, before + 1, 'one attempt right after the nudge');
      assert.ok((attempts.at(-1) as number) - nudgedAt < 100);
    } finally {
      pull.close();
    }
  });
});

/** Forwards HTTP to the portal but answers every WebSocket upgrade with 502, as some proxies do. */
async function startUpgradeRefusingProxy(target: number): Promise<{ port: number; refusedUpgrades(): number; close(): Promise<void> }> {
  let refused = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const forward = httpRequest(
      { host: '127.0.0.1', port: target, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  server.on('upgrade', (_request, socket) => {
    refused += 1;
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    refusedUpgrades: () => refused,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
