import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs, signInAs } from '../../portal/test/tokens.ts';
import { AccountCache } from '../src/core/accounts/accountCache.ts';
import { RealtimeClient } from '../src/core/realtime/realtimeClient.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

async function benAddsTaskFor(userId: number, title: string): Promise<void> {
  await restAs(portal, 'acme', 'ben@example.com', 'tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: userId } });
}

/** Resolves on the manager's next `event` for the account; fails after 10 s. */
const next = (core: Awaited<ReturnType<typeof startTestCore>>, event: 'tasks-changed' | 'live', id: string) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), 10_000);
    const listener = (accountId: string) => {
      if (accountId !== id) return;
      clearTimeout(timer);
      core.manager.off(event, listener);
      resolve();
    };
    core.manager.on(event, listener);
  });

describe('realtime in the core', () => {
  test('a task ben creates for anna reaches her account live, and one created while she was disconnected arrives on Connect', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAt(core, portal.port, 'acme');
      const id = anna.id;
      if (!core.manager.isLive(id)) await next(core, 'live', id);
      const live = next(core, 'tasks-changed', id);
      await benAddsTaskFor(anna.userId, 'Live task');
      await live;

      await core.manager.disconnect(id);
      await benAddsTaskFor(anna.userId, 'Task while away');
      const replayed = next(core, 'tasks-changed', id);
      await core.manager.connect(id);
      await replayed;
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
      const until = async (predicate: () => boolean) => {
        const deadline = Date.now() + 10_000;
        while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        return predicate();
      };
      assert.ok(await until(() => unread() > 0), 'the demo gives anna unread messages on acme');
      const before = unread();
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', {
        DIALOG_ID: anna.userId,
        MESSAGE: 'Are you free at three?',
      });
      assert.ok(await until(() => unread() === before + 1), `unread went from ${before} to ${unread()}`);
      const ben = await signInAs(portal, 'acme', 'ben@example.com');
      await restAs(portal, 'acme', 'anna@example.com', 'im.dialog.read', { DIALOG_ID: ben.user_id });
      assert.ok(await until(() => unread() < before + 1), 'reading on another device clears it here');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});

describe('realtime backoff', () => {
  test('a nudge (the portal answered a REST call) ends the backoff wait and tries at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-realtime-'));
    const cache = AccountCache.open(dir);
    const attempts: number[] = [];
    const client = new RealtimeClient({
      origin: `http://acme.localhost:${portal.port}`,
      cache,
      // The token cannot be had (the portal is away): each attempt fails before any socket opens.
      accessToken: async () => {
        attempts.push(Date.now());
        throw new Error('unreachable');
      },
      onEvent: () => {},
      onResync: () => {},
      onReady: () => {},
      onDown: () => {},
    });
    try {
      client.start();
      // Four failures: the next wait is drawn from up to 8 s.
      for (let i = 0; attempts.length < 4 && i < 600; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(attempts.length >= 4, true, `backoff attempts: ${attempts.length}`);
      const before = attempts.length;
      const nudgedAt = Date.now();
      client.nudge();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(attempts.length, before + 1, 'one attempt right after the nudge');
      assert.ok((attempts.at(-1) as number) - nudgedAt < 100);
    } finally {
      client.stop();
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
