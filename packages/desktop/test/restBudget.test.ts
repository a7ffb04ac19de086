import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { addColleagues, restAs, webhookFor } from '../../portal/test/tokens.ts';
import { RestBudget } from '../src/core/portal/restBudget.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore } from './coreHarness.ts';

describe('the client’s copy of a portal’s leaky bucket', () => {
  test('calls go out at once up to the burst, then at the drain rate, interactive ones first', async () => {
    const budget = new RestBudget({ burst: 2, drainPerSecond: 20 });
    const order: string[] = [];
    const take = (name: string, priority: 'interactive' | 'background') => budget.acquire(priority).then(() => order.push(name));
    const all = [take('b1', 'background'), take('b2', 'background'), take('b3', 'background'), take('b4', 'background')];
    await Promise.resolve();
    assert.deepEqual(order, ['b1', 'b2'], 'the burst goes at once');
    all.push(take('i1', 'interactive'));
    await Promise.all(all);
    assert.deepEqual(order, ['b1', 'b2', 'i1', 'b3', 'b4'], 'the user’s call overtakes the queue');
  });

  test('a 503 fills the bucket; a 429 pauses until the reset; an aborted wait leaves the queue', async () => {
    let now = 1_000_000;
    const budget = new RestBudget({ burst: 50, drainPerSecond: 2, now: () => now });
    await budget.acquire('interactive');
    budget.overflowed();
    let granted = false;
    const next = budget.acquire('interactive').then(() => {
      granted = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(granted, false, 'full: the next call waits for the drain');
    now += 500;
    await next;

    // A call that never reached the portal gives its slot back.
    budget.refund();
    let refunded = false;
    const after = budget.acquire('interactive').then(() => {
      refunded = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(refunded, true, 'the refunded slot lets the next call go at once');
    await after;

    budget.pauseUntil(now + 60_000);
    const abort = new AbortController();
    const paused = budget.acquire('background', abort.signal);
    assert.deepEqual(budget.waiting, { interactive: 0, background: 1 });
    abort.abort(new Error('closed'));
    await assert.rejects(paused, /closed/);
    assert.deepEqual(budget.waiting, { interactive: 0, background: 0 });
  });
});

describe('rate limits against the portal', () => {
  let portal: TestPortal;
  before(async () => {
    portal = await startTestPortal({ limits: { restBurst: 10, restDrainPerSecond: 2 } });
  });
  after(() => portal.close());

  test('a portal stricter than Bitrix24’s default answers 503: the calls wait and all succeed, none shows an error', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAt(core, portal.port, 'acme');
      const session = core.manager.access(anna.id).session;
      assert.ok(session);
      const before = portal.requests.filter((r) => r.path.startsWith('/rest/')).length;
      const answers = await Promise.all(Array.from({ length: 15 }, () => session.call<{ ID: string }>('user.current')));
      assert.equal(answers.length, 15);
      for (const answer of answers) assert.equal(Number(answer.result.ID), anna.userId);
      const sent = portal.requests.filter((r) => r.path.startsWith('/rest/')).length - before;
      assert.ok(sent > 15, `the portal refused some and they were sent again (${sent} requests for 15 calls)`);
      assert.equal(core.manager.list()[0]?.problem, undefined);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('10 accounts on one portal at Bitrix24’s cloud limit (50 burst, 2/s): everything loads and sends, no account shows an error', async () => {
    const cloud = await startTestPortal({ limits: { restBurst: 50, restDrainPerSecond: 2 } });
    const core = await startTestCore(new MemoryVault());
    try {
      await addColleagues(cloud, 'acme', 10, 'busy');
      const ids: string[] = [];
      for (let i = 1; i <= 10; i++) {
        const hook = await webhookFor(cloud, 'acme', `busy${String(i).padStart(2, '0')}@example.com`, [
          'user',
          'im',
          'task',
          'pull_channel',
        ]);
        const added = await core.signIns.webhook(hook.url);
        assert.ok(added.ok, JSON.stringify(added));
        ids.push(added.account.id);
      }
      const ben = (await restAs(cloud, 'acme', 'ben@example.com', 'user.current', {})) as { ID: string };
      // Every window of every account at once: home, chats, tasks, and a message each.
      await Promise.all(
        ids.flatMap((id) => [
          core.home.get(id),
          core.chats.list({ id }),
          core.tasks.list({ id }),
          core.chats.send({ id, dialogId: ben.ID, text: `From ${id}` }),
        ]),
      );
      for (const id of ids) {
        const outbox = core.manager.access(id).cache.outbox;
        const deadline = Date.now() + 60_000;
        while (outbox.list().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.equal(outbox.list().length, 0, 'every message went out');
      }
      assert.deepEqual(
        core.manager.list().flatMap((a) => (a.problem ? [a.problem] : [])),
        [],
        'no account shows a problem',
      );
    } finally {
      await core.close();
      core.removeProfile();
      await cloud.close();
    }
  });
});
