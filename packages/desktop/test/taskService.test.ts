import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs } from '../../portal/test/tokens.ts';
import { FileVault } from '../src/core/vault/fileVault.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInEach, startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
let core: Awaited<ReturnType<typeof startTestCore>>;
const ids: Record<string, string> = {};

before(async () => {
  portal = await startTestPortal();
  core = await startTestCore(new MemoryVault());
  Object.assign(ids, await signInEach(core, portal, ['acme', 'globex', 'initech']));
});
after(async () => {
  await core.close();
  core.removeProfile();
  await portal.close();
});

describe('tasks in the core', () => {
  test("an account's list is anna's open tasks, overdue first, with people's names", async () => {
    const view = await core.tasks.list({ id: ids.acme as string });
    assert.equal(view.stale, false);
    assert.ok(view.tasks.length > 0, 'the demo data gives anna tasks');
    assert.ok(view.tasks.every((t) => t.status !== 'completed'));
    const anna = core.manager.list()[0]?.userId;
    assert.ok(view.tasks.every((t) => t.responsibleId === anna && t.responsibleName === 'Anna Smirnova'));
    const firstOnTime = view.tasks.findIndex((t) => !t.overdue);
    assert.ok(
      view.tasks.slice(firstOnTime === -1 ? view.tasks.length : firstOnTime).every((t) => !t.overdue),
      'overdue tasks come first',
    );
    const completed = await core.tasks.list({ id: ids.acme as string, filter: 'completed' });
    assert.ok(completed.tasks.every((t) => t.status === 'completed'));
    const overdue = await core.tasks.list({ id: ids.acme as string, filter: 'overdue' });
    assert.ok(overdue.tasks.every((t) => t.overdue));
  });

  test('create, edit, complete and renew go through to the portal', async () => {
    const id = ids.globex as string;
    const created = await core.tasks.create({
      id,
      fields: { title: 'Prepare the Q1 report', deadline: '2030-01-15T17:00:00+01:00', priority: 2 },
    });
    assert.ok(created.ok, JSON.stringify(created));
    assert.equal(created.task.title, 'Prepare the Q1 report');
    assert.equal(created.task.priority, 2);
    assert.equal(Date.parse(created.task.deadline ?? ''), Date.parse('2030-01-15T17:00:00+01:00'));
    const edited = await core.tasks.update({ id, taskId: created.task.id, fields: { title: 'Prepare the Q1 report (draft)' } });
    assert.ok(edited.ok && edited.task.title === 'Prepare the Q1 report (draft)');
    const done = await core.tasks.complete({ id, taskId: created.task.id });
    assert.ok(done.ok && done.task.status === 'completed' && done.task.closedDate !== null);
    const renewed = await core.tasks.renew({ id, taskId: created.task.id });
    assert.ok(renewed.ok && renewed.task.status === 'pending' && renewed.task.closedDate === null);
  });

  test('a task changed on the portal is taken in with one tasks.task.get: the lists follow it, and listing again asks nothing more', async () => {
    const id = ids.acme as string;
    await until(() => core.manager.isLive(id), 'acme live');
    const anna = core.manager.list().find((a) => a.id === id)?.userId as number;
    const open = await core.tasks.list({ id });
    await core.tasks.list({ id, filter: 'completed' });
    const calls = () => portal.requests.filter((r) => r.host.startsWith('acme.') && r.path.startsWith('/rest/tasks.'));
    const changed = () => new Promise<void>((resolve) => core.tasks.once('changed', () => resolve()));

    let before = calls().length;
    let next = changed();
    const added = await restAs(portal, 'acme', 'ben@example.com', 'tasks.task.add', {
      fields: { TITLE: 'From ben, live', RESPONSIBLE_ID: anna },
    });
    const taskId = Number(added.task.id);
    await next;
    // Ben's own calls are on acme too: only anna's core's count.
    const annas = (from: number) =>
      calls()
        .slice(from)
        .filter((r) => !r.path.startsWith('/rest/tasks.task.add') && !r.path.startsWith('/rest/tasks.task.complete'));
    assert.deepEqual(
      annas(before).map((r) => r.path),
      ['/rest/tasks.task.get'],
      'one get for the task, no list',
    );
    const afterAdd = await core.tasks.list({ id });
    assert.equal(afterAdd.tasks.length, open.tasks.length + 1);
    assert.ok(afterAdd.tasks.some((t) => t.id === taskId && t.title === 'From ben, live' && t.responsibleName === 'Anna Smirnova'));

    before = calls().length;
    next = changed();
    await restAs(portal, 'acme', 'ben@example.com', 'tasks.task.complete', { taskId });
    await next;
    assert.ok(!(await core.tasks.list({ id })).tasks.some((t) => t.id === taskId), 'completed: out of the open list');
    assert.ok(
      (await core.tasks.list({ id, filter: 'completed' })).tasks.some((t) => t.id === taskId),
      'and in the completed one',
    );
    assert.deepEqual(
      annas(before).map((r) => r.path),
      ['/rest/tasks.task.get'],
      'again one get, and the lists from memory',
    );
  });

  test("the portal's objections come back as clear errors", async () => {
    const id = ids.acme as string;
    const badDeadline = await core.tasks.create({ id, fields: { title: 'x', deadline: 'next tuesday' } });
    assert.equal(badDeadline.ok, false);
    if (!badDeadline.ok) assert.match(badDeadline.message, /DEADLINE/i);
    const stranger = await core.tasks.create({ id, fields: { title: 'x', responsibleId: 999_999 } });
    assert.equal(stranger.ok, false);
    const unseen = await core.tasks.get({ id, taskId: 999_999 });
    assert.deepEqual(unseen.ok ? 'ok' : unseen.error, 'ACCESS_DENIED');
  });

  test('My tasks has every connected account, and leaves a disconnected one out', async () => {
    const all = await core.tasks.myTasks();
    assert.deepEqual(
      all.groups.map((g) => g.portalTitle),
      ['Acme Corp', 'Globex', 'Initech'],
    );
    assert.ok(all.groups.every((g) => !g.stale && g.tasks.length > 0));
    await core.manager.disconnect(ids.initech as string);
    const without = await core.tasks.myTasks();
    assert.deepEqual(
      without.groups.map((g) => g.portalTitle),
      ['Acme Corp', 'Globex'],
    );
    const cached = await core.tasks.list({ id: ids.initech as string });
    assert.equal(cached.stale, true);
    assert.ok(cached.tasks.length > 0, 'a disconnected account still shows its saved tasks');
    await core.manager.connect(ids.initech as string);
  });

  test('after a restart the saved tasks show at once, then the fresh list follows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-tasks-restart-'));
    const vaultFile = join(dir, 'vault.json');
    const first = await startTestCore(new FileVault(vaultFile), dir);
    const signedIn = await first.signIns.password({
      address: `acme.localhost:${portal.port}`,
      login: 'anna@example.com',
      password: 'multidesk-demo',
    });
    assert.ok(signedIn.ok);
    const fresh = await first.tasks.list({ id: signedIn.account.id });
    await first.close();

    const restarted = await startTestCore(new FileVault(vaultFile), dir);
    try {
      const refreshed = new Promise<void>((resolve) => restarted.tasks.once('changed', () => resolve()));
      const atOnce = await restarted.tasks.list({ id: signedIn.account.id });
      assert.equal(atOnce.stale, true);
      assert.deepEqual(atOnce.problem, { code: 'updating' });
      assert.deepEqual(
        atOnce.tasks.map((t) => t.id),
        fresh.tasks.map((t) => t.id),
      );
      await refreshed;
      const after = await restarted.tasks.list({ id: signedIn.account.id });
      assert.equal(after.stale, false);
    } finally {
      await restarted.close();
      restarted.removeProfile();
    }
  });
});
