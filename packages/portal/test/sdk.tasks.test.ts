import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TypeB24 } from '@bitrix24/b24jssdk';
import { startTestPortal, type TestPortal } from './harness.ts';
import { hookClient, oauthClient } from './sdkClient.ts';
import { postJson, signInAs, webhookFor } from './tokens.ts';

/** The official SDK's list helpers over tasks.task.list: 120 tasks, three pages. */
const PAGED = 120;
const paged = { '%TITLE': 'SDK paging ' };

let portal: TestPortal;
let benId: number;
before(async () => {
  portal = await startTestPortal();
  const anna = (await signInAs(portal, 'acme', 'anna@example.com')).access_token;
  benId = (await signInAs(portal, 'acme', 'ben@example.com')).user_id;
  // Three batches of 40: one rate-limited call each.
  for (let batch = 0; batch < PAGED / 40; batch++) {
    const cmd: Record<string, string> = {};
    for (let i = 1; i <= 40; i++) {
      const n = String(batch * 40 + i).padStart(3, '0');
      cmd[`t${n}`] = `tasks.task.add?fields[TITLE]=SDK%20paging%20${n}&fields[RESPONSIBLE_ID]=${benId}`;
    }
    const reply = await postJson(`${portal.url('acme')}/rest/batch`, { auth: anna, halt: 1, cmd });
    assert.deepEqual(reply.body.result.result_error, [], JSON.stringify(reply.body));
  }
});
after(() => portal.close());

function listCases(client: () => Promise<TypeB24>) {
  test('callListMethod pages tasks.task.list by start and next, reading rows under "tasks"', async () => {
    const b24 = await client();
    const list = await b24.callListMethod('tasks.task.list', { filter: paged, select: ['ID', 'TITLE'] }, null, 'tasks');
    assert.ok(list.isSuccess, list.getErrorMessages().join('; '));
    const tasks = list.getData() as { id: string; title: string }[];
    assert.equal(tasks.length, PAGED);
    assert.equal(new Set(tasks.map((t) => t.id)).size, PAGED);
    assert.deepEqual(
      tasks.map((t) => t.title),
      Array.from({ length: PAGED }, (_, i) => `SDK paging ${String(i + 1).padStart(3, '0')}`),
    );
  });

  test('callList pages tasks.task.list by an >ID cursor without counting', async () => {
    const b24 = await client();
    const list = await b24.actions.v2.callList.make({
      method: 'tasks.task.list',
      params: { filter: paged },
      idKey: 'id',
      cursorIdKey: 'ID',
      customKeyForResult: 'tasks',
    });
    assert.ok(list.isSuccess, list.getErrorMessages().join('; '));
    const tasks = list.getData() as { id: string }[];
    assert.equal(tasks.length, PAGED);
    assert.equal(new Set(tasks.map((t) => t.id)).size, PAGED);
  });
}

describe('the official SDK with OAuth tokens over tasks', () => {
  listCases(async () => oauthClient(await signInAs(portal, 'acme', 'anna@example.com')));

  test('add, get, complete and delete a task through call.make', async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    const added = await b24.actions.v2.call.make({
      method: 'tasks.task.add',
      params: { fields: { TITLE: 'Through the SDK', DEADLINE: '2026-12-01T18:00:00+03:00', ACCOMPLICES: [benId] } },
    });
    assert.ok(added.isSuccess, added.getErrorMessages().join('; '));
    const { task } = added.getData()!.result as { task: { id: string; deadline: string; accomplices: string[] } };
    assert.equal(task.deadline, '2026-12-01T15:00:00+00:00');
    assert.deepEqual(task.accomplices, [String(benId)]);
    const done = await b24.actions.v2.call.make({ method: 'tasks.task.complete', params: { taskId: task.id } });
    assert.equal((done.getData()!.result as { task: { status: string } }).task.status, '5');
    const got = await b24.actions.v2.call.make({ method: 'tasks.task.get', params: { taskId: task.id, select: ['STATUS'] } });
    const selected = (got.getData()!.result as { task: { id: string; status: string; title?: string } }).task;
    assert.deepEqual([selected.id, selected.status, selected.title], [task.id, '5', undefined]);
    const deleted = await b24.actions.v2.call.make({ method: 'tasks.task.delete', params: { taskId: task.id } });
    assert.deepEqual(deleted.getData()!.result, { task: true });
  });

  test('a task the caller may not see comes back as the SDK error ACCESS_DENIED', async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'olivia@example.com'));
    await assert.rejects(
      b24.actions.v2.call.make({ method: 'tasks.task.get', params: { taskId: 9_999_999 } }),
      (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'ACCESS_DENIED');
        assert.equal(error.status, 403);
        return true;
      },
    );
  });

  test('callBatch adds a task and lists it by a $result reference', async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    const batch = await b24.callBatch(
      {
        added: { method: 'tasks.task.add', params: { fields: { TITLE: 'SDK batch', RESPONSIBLE_ID: benId } } },
        listed: { method: 'tasks.task.list', params: { filter: { ID: '$result[added][task][id]' }, select: ['TITLE', 'RESPONSIBLE_ID'] } },
      },
      true,
    );
    assert.ok(batch.isSuccess, batch.getErrorMessages().join('; '));
    const data = batch.getData() as {
      added: { task: { id: string } };
      listed: { tasks: { id: string; title: string; responsibleId: string }[] };
    };
    assert.deepEqual(
      data.listed.tasks.map((t) => [t.id, t.title, t.responsibleId]),
      [[data.added.task.id, 'SDK batch', String(benId)]],
    );
  });
});

describe('the official SDK through a webhook over tasks', () => {
  // Ben is responsible for the paged tasks, so he sees them all.
  listCases(async () => hookClient((await webhookFor(portal, 'acme', 'ben@example.com', ['task'])).url));
});
