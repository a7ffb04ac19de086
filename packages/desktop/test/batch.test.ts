import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { batchCommand } from '../src/core/portal/batchCommand.ts';
import { RestCallError } from '../src/core/portal/portalSession.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

describe('batch', () => {
  test('a command carries its parameters in PHP’s nested form', () => {
    assert.equal(batchCommand('server.time'), 'server.time');
    assert.equal(
      batchCommand('user.get', { filter: { ACTIVE: true, '>ID': 3 }, sort: 'LAST_NAME', start: 0, skip: undefined }),
      'user.get?filter%5BACTIVE%5D=true&filter%5B%3EID%5D=3&sort=LAST_NAME&start=0',
    );
    assert.equal(
      batchCommand('tasks.task.update', { taskId: 7, fields: { TITLE: 'a&b=c', DEADLINE: '' } }),
      'tasks.task.update?taskId=7&fields%5BTITLE%5D=a%26b%3Dc&fields%5BDEADLINE%5D=',
    );
  });

  test('the home is one request; a task change and its fresh copy are one; a failing command is its own error', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await signInAt(core, portal.port, 'acme');
      const restCalls = () => portal.requests.filter((r) => r.path.startsWith('/rest/')).map((r) => r.path);
      let before = restCalls().length;
      const home = await core.home.get(anna.id);
      assert.ok(home.profile && home.people.length > 1);
      assert.deepEqual(restCalls().slice(before), ['/rest/batch'], 'profile and people in one request');

      const created = await core.tasks.create({ id: anna.id, fields: { title: 'Batch me' } });
      assert.ok(created.ok, JSON.stringify(created));
      before = restCalls().length;
      const renamed = await core.tasks.update({ id: anna.id, taskId: created.task.id, fields: { title: 'Batched & renamed' } });
      assert.ok(renamed.ok, JSON.stringify(renamed));
      assert.equal(renamed.task.title, 'Batched & renamed');
      assert.deepEqual(restCalls().slice(before), ['/rest/batch'], 'the change and the get in one request');

      const session = core.manager.access(anna.id).session;
      assert.ok(session);
      await assert.rejects(
        session.batch({ ok: ['server.time'], bad: ['tasks.task.get', { taskId: 99_999_999 }] }),
        (error: unknown) => error instanceof RestCallError && error.code !== 'BATCH_INCOMPLETE',
      );
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
