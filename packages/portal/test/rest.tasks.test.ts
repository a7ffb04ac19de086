import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PullBody } from '@multidesk/protocol';
import { currentSeq, eventsAfter } from '../src/store/realtimeEvents.ts';
import { addColleagues, call, postJson, type RestReply, restPortal, signInAs, webhookFor } from './tokens.ts';

/** acme: anna administers it; ben, olivia and marcus are users. Bursts are unlimited: these tests call a lot. */
const { portal, acme, token: anna } = await restPortal({ signIn: 'anna@example.com', limits: { restBurst: 1_000_000 } });
const sign = async (email: string) => {
  const tokens = await signInAs(portal, 'acme', email);
  return { token: tokens.access_token, id: tokens.user_id };
};
const annaId = (await signInAs(portal, 'acme', 'anna@example.com')).user_id;
const ben = await sign('ben@example.com');
const olivia = await sign('olivia@example.com');
const marcus = await sign('marcus@example.com');
/** Sofia is a member of globex only: her id there means nobody on acme. */
const sofiaOnGlobex = (await signInAs(portal, 'globex', 'sofia@example.com')).user_id;

const rest = (method: string, params: Record<string, unknown>, token: string) =>
  postJson(`${acme}/rest/${method}`, { auth: token, ...params });

async function ok(reply: Promise<RestReply>): Promise<any> {
  const { status, body } = await reply;
  assert.equal(status, 200, JSON.stringify(body));
  return body.result;
}

/** Adds a task as `token` (ben by default) and answers it as tasks.task.add did. */
async function add(fields: Record<string, unknown>, token = ben.token): Promise<any> {
  return (await ok(rest('tasks.task.add', { fields }, token))).task;
}

const get = (taskId: string | number, token: string) => rest('tasks.task.get', { taskId }, token);

/** What a narrowed answer has whatever `select` names, as in Bitrix24's own examples. */
const ALWAYS_SELECTED = ['action', 'descriptionInBbcode', 'favorite', 'group', 'id'];

function assertBadArgument(reply: RestReply, mentions: RegExp): void {
  assert.equal(reply.status, 400, JSON.stringify(reply.body));
  assert.equal(reply.body.error, 'INVALID_ARG_VALUE');
  assert.match(reply.body.error_description, mentions);
}

function assertNotAccessible(reply: RestReply): void {
  assert.equal(reply.status, 403, JSON.stringify(reply.body));
  assert.deepEqual(reply.body, { error: 'ACCESS_DENIED', error_description: 'Task not found or not accessible' });
}

describe('tasks.task.add', () => {
  test('adds a task from UPPER_CASE fields and answers {task} in camelCase with ids and numbers as strings', async () => {
    const before = portal.clock.now();
    const task = await add({
      TITLE: 'Prepare the quarterly report',
      DESCRIPTION: 'Numbers for Q4',
      RESPONSIBLE_ID: olivia.id,
      DEADLINE: '2026-12-01T18:00:00+03:00',
      PRIORITY: 2,
      ACCOMPLICES: [marcus.id],
      AUDITORS: [String(annaId)],
    });
    assert.match(task.id, /^\d+$/);
    assert.equal(task.title, 'Prepare the quarterly report');
    assert.equal(task.description, 'Numbers for Q4');
    assert.equal(task.responsibleId, String(olivia.id));
    assert.equal(task.createdBy, String(ben.id));
    assert.equal(task.deadline, '2026-12-01T15:00:00+00:00');
    assert.equal(task.status, '2');
    assert.equal(task.priority, '2');
    assert.deepEqual(task.accomplices, [String(marcus.id)]);
    assert.deepEqual(task.auditors, [String(annaId)]);
    assert.equal(task.closedDate, null);
    assert.equal(task.closedBy, null);
    assert.equal(task.changedBy, String(ben.id));
    assert.equal(task.groupId, '0');
    assert.match(task.createdDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    assert.ok(Math.abs(Date.parse(task.createdDate) - before) < 2000);
    assert.equal(task.changedDate, task.createdDate);
    assert.deepEqual(task.creator, {
      id: String(ben.id),
      name: 'Ben Carter',
      link: `/company/personal/user/${ben.id}/`,
      icon: '/bitrix/images/tasks/default_avatar.png',
      workPosition: 'Developer',
    });
    assert.equal(task.responsible.name, 'Olivia Brown');
  });

  test('takes form-urlencoded PHP-style fields as Bitrix24 clients send them', async () => {
    const body = new URLSearchParams({
      auth: ben.token,
      'fields[TITLE]': 'From a form',
      'fields[RESPONSIBLE_ID]': String(marcus.id),
      'fields[AUDITORS][]': String(olivia.id),
      'fields[DEADLINE]': '2026-12-24T09:30:00Z',
    });
    const reply = await call(`${acme}/rest/tasks.task.add`, { method: 'POST', body });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const { task } = reply.body.result;
    assert.equal(task.title, 'From a form');
    assert.equal(task.responsibleId, String(marcus.id));
    assert.deepEqual(task.auditors, [String(olivia.id)]);
    assert.equal(task.deadline, '2026-12-24T09:30:00+00:00');
  });

  test('without them, the caller is creator and responsible, the task is pending, normal, with no deadline', async () => {
    const task = await add({ TITLE: 'Just a title' }, olivia.token);
    assert.equal(task.createdBy, String(olivia.id));
    assert.equal(task.responsibleId, String(olivia.id));
    assert.equal(task.status, '2');
    assert.equal(task.priority, '1');
    assert.equal(task.deadline, null);
    assert.equal(task.description, '');
    assert.deepEqual(task.accomplices, []);
    assert.deepEqual(task.auditors, []);
  });

  test('a missing or empty TITLE, or no fields at all, is 400 with a clear description', async () => {
    assertBadArgument(await rest('tasks.task.add', { fields: { DESCRIPTION: 'no title' } }, ben.token), /TITLE\] is required/);
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: '   ' } }, ben.token), /TITLE\] must not be empty/);
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'x'.repeat(251) } }, ben.token), /TITLE\] takes at most 250/);
    assertBadArgument(await rest('tasks.task.add', {}, ben.token), /fields is required/);
    assertBadArgument(await rest('tasks.task.add', { fields: 'TITLE' }, ben.token), /fields must be an object/);
  });

  test('a DEADLINE that is not a date-time is 400', async () => {
    for (const deadline of ['tomorrow', '2026-02-30T10:00:00Z', '2026-12-01T25:00:00Z', '1733000000', 12, ['2026-12-01']]) {
      const reply = await rest('tasks.task.add', { fields: { TITLE: 'Bad deadline', DEADLINE: deadline } }, ben.token);
      assertBadArgument(reply, /DEADLINE\] must be an ISO 8601 date-time/);
    }
  });

  test('a RESPONSIBLE_ID, accomplice or auditor who is not an active member of this portal is 400', async () => {
    await addColleagues(portal, 'acme', 1, 'leaver');
    const [leaver] = (await ok(rest('user.get', { filter: { EMAIL: 'leaver01@example.com' } }, anna))) as { ID: string }[];
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', Number(leaver?.ID)).execute();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ RESPONSIBLE_ID: sofiaOnGlobex }, /RESPONSIBLE_ID\]: user \d+ is not an active member/],
      [{ RESPONSIBLE_ID: 999_999 }, /RESPONSIBLE_ID/],
      [{ RESPONSIBLE_ID: leaver?.ID }, /RESPONSIBLE_ID/],
      [{ RESPONSIBLE_ID: 'ben' }, /RESPONSIBLE_ID\] must be an integer/],
      [{ ACCOMPLICES: [marcus.id, sofiaOnGlobex] }, /ACCOMPLICES\]: user \d+ is not an active member/],
      [{ AUDITORS: [leaver?.ID] }, /AUDITORS\]: user \d+ is not an active member/],
      [{ AUDITORS: ['1 OR 1=1'] }, /AUDITORS\] must be an integer/],
    ];
    const countBefore = (await ok(rest('tasks.task.list', { start: 0 }, anna))).length;
    for (const [fields, mentions] of cases) {
      assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'Stranger', ...fields } }, ben.token), mentions);
    }
    const list = await rest('tasks.task.list', { filter: { TITLE: 'Stranger' } }, anna);
    assert.deepEqual(list.body.result.tasks, [], `no task was added (${countBefore})`);
  });

  test('a bad STATUS or PRIORITY is 400', async () => {
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'x', STATUS: 9 } }, ben.token), /STATUS\] must be 2/);
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'x', STATUS: 'done' } }, ben.token), /STATUS\] must be an integer/);
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'x', PRIORITY: 3 } }, ben.token), /PRIORITY\] must be 0/);
    assertBadArgument(await rest('tasks.task.add', { fields: { TITLE: 'x', PRIORITY: -1 } }, ben.token), /PRIORITY/);
  });

  test('fields this portal does not know are ignored', async () => {
    const task = await add({ TITLE: 'With extras', GROUP_ID: 7, UF_CRM_TASK: ['D_1'], TAGS: ['a'], ID: 1, CLOSED_DATE: 'x' });
    assert.equal(task.title, 'With extras');
    assert.equal(task.groupId, '0');
    assert.equal(task.closedDate, null);
  });

  test('a task added as completed (STATUS 5) is closed at once', async () => {
    const task = await add({ TITLE: 'Already done', STATUS: 5 });
    assert.equal(task.status, '5');
    assert.equal(task.closedBy, String(ben.id));
    assert.match(task.closedDate, /\+00:00$/);
  });

  test('only an administrator may add a task on behalf of another creator', async () => {
    const refused = await rest('tasks.task.add', { fields: { TITLE: 'As Olivia', CREATED_BY: olivia.id } }, ben.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'ACCESS_DENIED');
    const own = await add({ TITLE: 'As myself', CREATED_BY: ben.id });
    assert.equal(own.createdBy, String(ben.id));
    const byAdmin = await add({ TITLE: 'For Olivia', CREATED_BY: olivia.id, RESPONSIBLE_ID: marcus.id }, anna);
    assert.equal(byAdmin.createdBy, String(olivia.id));
    assert.equal(byAdmin.changedBy, String(annaId));
  });

  test('SQL metacharacters in text fields are stored as they are', async () => {
    const title = `Robert'); DROP TABLE tasks; -- "%_\\`;
    const task = await add({ TITLE: title, DESCRIPTION: "' OR '1'='1" });
    const again = (await ok(get(task.id, ben.token))).task;
    assert.equal(again.title, title);
    assert.equal(again.description, "' OR '1'='1");
  });
});

describe('tasks.task.get', () => {
  test('the creator, the responsible, an accomplice and an auditor each see the task, and what each may do with it', async () => {
    const task = await add({ TITLE: 'Seen by participants', RESPONSIBLE_ID: olivia.id, ACCOMPLICES: [marcus.id], AUDITORS: [annaId] });
    const { action: _, checkListTree: __, ...same } = task;
    // Anna audits it, but administers the portal: she may do everything, as the creator may.
    const mayRemove = [
      [ben, true],
      [olivia, false],
      [marcus, false],
      [{ token: anna, id: annaId }, true],
    ] as const;
    for (const [who, remove] of mayRemove) {
      const seen = (await ok(get(task.id, who.token))).task;
      const { action, checkListTree, ...rest } = seen;
      assert.deepEqual(rest, same);
      assert.deepEqual([action.edit, action.remove, action['edit.originator']], [true, remove, remove]);
      assert.equal(checkListTree.fields.userId, who.id);
    }
  });

  test('someone who takes no part gets the same ACCESS_DENIED as for a task that does not exist', async () => {
    const task = await add({ TITLE: 'Private to Ben and Olivia', RESPONSIBLE_ID: olivia.id });
    const hidden = await get(task.id, marcus.token);
    const missing = await get(9_999_999, marcus.token);
    assertNotAccessible(hidden);
    assertNotAccessible(missing);
    assert.deepEqual(hidden.body, missing.body);
    assert.equal(hidden.status, missing.status);
  });

  test('an administrator sees every task of the portal', async () => {
    const task = await add({ TITLE: 'Between Ben and Marcus', RESPONSIBLE_ID: marcus.id });
    assert.equal((await ok(get(task.id, anna))).task.title, 'Between Ben and Marcus');
  });

  test('a task of another portal does not exist here, even for this portal administrator', async () => {
    const benOnGlobex = (await signInAs(portal, 'globex', 'ben@example.com')).access_token;
    const there = await postJson(`${portal.url('globex')}/rest/tasks.task.add`, { auth: benOnGlobex, fields: { TITLE: 'Globex only' } });
    assert.equal(there.status, 200);
    assertNotAccessible(await get(there.body.result.task.id, anna));
  });

  test('select picks the fields of the answer; id and what Bitrix24 always adds come too', async () => {
    const task = await add({ TITLE: 'Selected', RESPONSIBLE_ID: marcus.id });
    const reply = await ok(rest('tasks.task.get', { taskId: task.id, select: ['TITLE', 'RESPONSIBLE_ID'] }, ben.token));
    assert.deepEqual(Object.keys(reply.task).sort(), [...ALWAYS_SELECTED, 'responsible', 'responsibleId', 'title'].sort());
  });

  test('a missing or malformed taskId is 400', async () => {
    assertBadArgument(await rest('tasks.task.get', {}, ben.token), /taskId is required/);
    assertBadArgument(await rest('tasks.task.get', { taskId: '1; DROP TABLE tasks' }, ben.token), /taskId must be an integer/);
  });

  test('the task scope is needed', async () => {
    const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['user']);
    const reply = await call(`${hook.url}/tasks.task.list`);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error, 'insufficient_scope');
    const tasks = await webhookFor(portal, 'acme', 'ben@example.com', ['task']);
    assert.equal((await call(`${tasks.url}/tasks.task.list`)).status, 200);
    const names = (await call(`${acme}/rest/methods?auth=${anna}&scope=task`)).body.result;
    assert.deepEqual(names.sort(), [
      'tasks.task.add',
      'tasks.task.complete',
      'tasks.task.delete',
      'tasks.task.get',
      'tasks.task.list',
      'tasks.task.renew',
      'tasks.task.update',
    ]);
  });
});

describe('tasks.task.update', () => {
  test('changes only the given fields, answers {task} and moves changedDate', async () => {
    const task = await add({ TITLE: 'Draft', DESCRIPTION: 'keep me', RESPONSIBLE_ID: olivia.id, DEADLINE: '2026-12-01T10:00:00Z' });
    portal.clock.advance(5_000);
    const updated = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { TITLE: 'Final', PRIORITY: 0 } }, olivia.token))).task;
    assert.equal(updated.title, 'Final');
    assert.equal(updated.priority, '0');
    assert.equal(updated.description, 'keep me');
    assert.equal(updated.deadline, '2026-12-01T10:00:00+00:00');
    assert.equal(updated.responsibleId, String(olivia.id));
    assert.equal(updated.changedBy, String(olivia.id));
    assert.ok(Date.parse(updated.changedDate) > Date.parse(task.changedDate));
    assert.equal(updated.createdDate, task.createdDate);
  });

  test('ACCOMPLICES and AUDITORS replace the lists, an empty value clears them, as an empty DEADLINE clears the deadline', async () => {
    const task = await add({ TITLE: 'People', ACCOMPLICES: [olivia.id], AUDITORS: [marcus.id], DEADLINE: '2026-12-01' });
    const swapped = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { ACCOMPLICES: [marcus.id, annaId] } }, ben.token)))
      .task;
    assert.deepEqual(
      swapped.accomplices,
      [String(annaId), String(marcus.id)].sort((a, b) => Number(a) - Number(b)),
    );
    assert.deepEqual(swapped.auditors, [String(marcus.id)]);
    const body = new URLSearchParams({ auth: ben.token, taskId: task.id, 'fields[AUDITORS]': '', 'fields[DEADLINE]': '' });
    const cleared = (await call(`${acme}/rest/tasks.task.update`, { method: 'POST', body })).body.result.task;
    assert.deepEqual(cleared.auditors, []);
    assert.equal(cleared.deadline, null);
    assert.equal(cleared.accomplices.length, 2);
  });

  test('STATUS 5 closes the task and another status reopens it', async () => {
    const task = await add({ TITLE: 'Status by update' });
    const done = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { STATUS: 5 } }, ben.token))).task;
    assert.equal(done.status, '5');
    assert.notEqual(done.closedDate, null);
    const started = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { STATUS: 3 } }, ben.token))).task;
    assert.equal(started.status, '3');
    assert.equal(started.closedDate, null);
    assert.equal(started.closedBy, null);
  });

  test('the creator, the responsible, an accomplice and an administrator may update; an auditor may not', async () => {
    const task = await add({ TITLE: 'Shared work', RESPONSIBLE_ID: olivia.id, ACCOMPLICES: [marcus.id] });
    for (const [i, token] of [ben.token, olivia.token, marcus.token, anna].entries()) {
      const updated = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { DESCRIPTION: `step ${i}` } }, token))).task;
      assert.equal(updated.description, `step ${i}`);
    }
    const watched = await add({ TITLE: 'Watched by Marcus', AUDITORS: [marcus.id] });
    const refused = await rest('tasks.task.update', { taskId: watched.id, fields: { TITLE: 'Hijacked' } }, marcus.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'ACCESS_DENIED');
    assert.equal((await ok(get(watched.id, ben.token))).task.title, 'Watched by Marcus');
  });

  test('someone who takes no part gets the not-found answer and changes nothing', async () => {
    const task = await add({ TITLE: 'Not for Marcus', RESPONSIBLE_ID: olivia.id });
    assertNotAccessible(await rest('tasks.task.update', { taskId: task.id, fields: { TITLE: 'Mine now' } }, marcus.token));
    assertNotAccessible(await rest('tasks.task.update', { taskId: 9_999_999, fields: { TITLE: 'Mine now' } }, marcus.token));
    assert.equal((await ok(get(task.id, ben.token))).task.title, 'Not for Marcus');
  });

  test('bad fields are 400 as in add, and nothing of the update is kept', async () => {
    const task = await add({ TITLE: 'Valid', AUDITORS: [olivia.id] });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ TITLE: '' }, /TITLE\] must not be empty/],
      [{ DEADLINE: 'next week' }, /DEADLINE\] must be an ISO 8601/],
      [{ DESCRIPTION: 'changed', RESPONSIBLE_ID: sofiaOnGlobex }, /RESPONSIBLE_ID\]: user \d+ is not an active member/],
      [{ DESCRIPTION: 'changed', AUDITORS: [999_999] }, /AUDITORS/],
    ];
    for (const [fields, mentions] of cases) {
      assertBadArgument(await rest('tasks.task.update', { taskId: task.id, fields }, ben.token), mentions);
    }
    assertBadArgument(await rest('tasks.task.update', { taskId: task.id }, ben.token), /fields is required/);
    assert.deepEqual((await ok(get(task.id, ben.token))).task, task);
  });

  test('only the creator or an administrator may hand a task to another creator', async () => {
    const task = await add({ TITLE: 'Authorship', RESPONSIBLE_ID: olivia.id });
    const refused = await rest('tasks.task.update', { taskId: task.id, fields: { CREATED_BY: olivia.id } }, olivia.token);
    assert.equal(refused.status, 403);
    const handed = (await ok(rest('tasks.task.update', { taskId: task.id, fields: { CREATED_BY: marcus.id } }, ben.token))).task;
    assert.equal(handed.createdBy, String(marcus.id));
  });
});

describe('tasks.task.complete and tasks.task.renew', () => {
  test('complete sets status 5 and closedDate; renew sets status 2 and clears closedDate; both answer {task}', async () => {
    const task = await add({ TITLE: 'Complete me', RESPONSIBLE_ID: olivia.id });
    const done = await ok(rest('tasks.task.complete', { taskId: task.id }, olivia.token));
    assert.equal(done.task.status, '5');
    assert.equal(done.task.closedBy, String(olivia.id));
    assert.match(done.task.closedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    const again = await ok(rest('tasks.task.complete', { taskId: task.id }, olivia.token));
    assert.equal(again.task.closedDate, done.task.closedDate);
    const renewed = await ok(rest('tasks.task.renew', { taskId: task.id }, ben.token));
    assert.equal(renewed.task.status, '2');
    assert.equal(renewed.task.closedDate, null);
    assert.equal(renewed.task.closedBy, null);
  });

  test('an auditor may neither complete nor renew; someone who takes no part gets the not-found answer', async () => {
    const task = await add({ TITLE: 'Audited', AUDITORS: [olivia.id] });
    for (const method of ['tasks.task.complete', 'tasks.task.renew']) {
      const refused = await rest(method, { taskId: task.id }, olivia.token);
      assert.equal(refused.status, 403, method);
      assert.equal(refused.body.error, 'ACCESS_DENIED');
      assertNotAccessible(await rest(method, { taskId: task.id }, marcus.token));
      assertNotAccessible(await rest(method, { taskId: 9_999_999 }, marcus.token));
    }
    assert.equal((await ok(get(task.id, ben.token))).task.status, '2');
  });

  test('an accomplice and an administrator may complete', async () => {
    const first = await add({ TITLE: 'Accomplice completes', ACCOMPLICES: [marcus.id] });
    assert.equal((await ok(rest('tasks.task.complete', { taskId: first.id }, marcus.token))).task.status, '5');
    const second = await add({ TITLE: 'Admin completes' });
    assert.equal((await ok(rest('tasks.task.complete', { taskId: second.id }, anna))).task.status, '5');
  });
});

describe('tasks.task.delete', () => {
  test('the creator deletes a task: the answer is {task: true} and the task is gone', async () => {
    const task = await add({ TITLE: 'Delete me', ACCOMPLICES: [olivia.id] });
    assert.deepEqual(await ok(rest('tasks.task.delete', { taskId: task.id }, ben.token)), { task: true });
    assertNotAccessible(await get(task.id, ben.token));
    assertNotAccessible(await rest('tasks.task.delete', { taskId: task.id }, ben.token));
  });

  test('the responsible may not delete a task they did not create, and it stays', async () => {
    const task = await add({ TITLE: 'Responsible cannot delete', RESPONSIBLE_ID: olivia.id });
    const refused = await rest('tasks.task.delete', { taskId: task.id }, olivia.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'ACCESS_DENIED');
    assert.match(refused.body.error_description, /creator/);
    assert.equal((await ok(get(task.id, olivia.token))).task.id, task.id);
  });

  test('an administrator deletes any task; someone who takes no part gets the not-found answer', async () => {
    const task = await add({ TITLE: 'Admin deletes', RESPONSIBLE_ID: olivia.id });
    assertNotAccessible(await rest('tasks.task.delete', { taskId: task.id }, marcus.token));
    assert.deepEqual(await ok(rest('tasks.task.delete', { taskId: task.id }, anna)), { task: true });
  });
});

describe('tasks.task.list', async () => {
  /** 60 tasks for paging and filters, titled "Listed NN", between Marcus (creator) and Olivia (responsible). */
  const LISTED = 60;
  const base = Date.UTC(2027, 0, 1);
  const listed: any[] = [];
  for (let i = 1; i <= LISTED; i++) {
    const fields: Record<string, unknown> = {
      TITLE: `Listed ${String(i).padStart(2, '0')}`,
      RESPONSIBLE_ID: olivia.id,
      STATUS: i % 3 === 0 ? 5 : i % 3 === 1 ? 2 : 3,
      PRIORITY: i % 3,
      ...(i % 4 === 0 ? {} : { DEADLINE: new Date(base + i * 3_600_000).toISOString() }),
      ...(i % 10 === 0 ? { ACCOMPLICES: [ben.id] } : {}),
      ...(i % 15 === 0 ? { AUDITORS: [ben.id] } : {}),
    };
    listed.push(await add(fields, marcus.token));
  }
  const list = (params: Record<string, unknown>, token = marcus.token) => ok(rest('tasks.task.list', params, token));
  const listedIds = (tasks: { id: string }[]) => tasks.map((t) => Number(t.id));
  const titled = { '%TITLE': 'Listed ' };

  test('answers {tasks} 50 a page from start, with total, and next except on the last page', async () => {
    const first = await rest('tasks.task.list', { filter: titled }, marcus.token);
    assert.equal(first.body.result.tasks.length, 50);
    assert.equal(first.body.total, LISTED);
    assert.equal(first.body.next, 50);
    const second = await rest('tasks.task.list', { filter: titled, start: first.body.next }, marcus.token);
    assert.equal(second.body.result.tasks.length, LISTED - 50);
    assert.equal(second.body.total, LISTED);
    assert.equal('next' in second.body, false);
    const all = [...listedIds(first.body.result.tasks), ...listedIds(second.body.result.tasks)];
    assert.deepEqual(all, listedIds(listed));
    assert.ok(first.body.time && typeof first.body.time.start === 'number');
  });

  test('start=-1 skips counting: neither total nor next', async () => {
    const reply = await rest('tasks.task.list', { filter: titled, start: -1 }, marcus.token);
    assert.equal(reply.body.result.tasks.length, 50);
    assert.equal('total' in reply.body, false);
    assert.equal('next' in reply.body, false);
  });

  test('filters by RESPONSIBLE_ID, CREATED_BY, STATUS, REAL_STATUS and !STATUS', async () => {
    const expect = (pick: (i: number) => boolean) => listedIds(listed.filter((_, index) => pick(index + 1)));
    const responsible = await list({ filter: { ...titled, RESPONSIBLE_ID: olivia.id }, start: -1 });
    assert.equal(responsible.tasks.length, 50);
    assert.deepEqual((await list({ filter: { ...titled, RESPONSIBLE_ID: ben.id } })).tasks, []);
    assert.equal((await rest('tasks.task.list', { filter: { ...titled, CREATED_BY: marcus.id } }, marcus.token)).body.total, LISTED);
    assert.deepEqual(
      listedIds((await list({ filter: { ...titled, STATUS: 5 } })).tasks),
      expect((i) => i % 3 === 0),
    );
    assert.deepEqual(
      listedIds((await list({ filter: { ...titled, REAL_STATUS: 5 } })).tasks),
      expect((i) => i % 3 === 0),
    );
    assert.deepEqual(
      listedIds((await list({ filter: { ...titled, STATUS: [2, 3], '>ID': listed[29].id } })).tasks),
      expect((i) => i > 30 && i % 3 !== 0),
    );
    const open = await rest('tasks.task.list', { filter: { ...titled, '!STATUS': 5 } }, marcus.token);
    assert.equal(open.body.total, LISTED - LISTED / 3);
  });

  test('filters by <DEADLINE and >DEADLINE, which leave out tasks without a deadline', async () => {
    const cut = new Date(base + 20.5 * 3_600_000).toISOString();
    const before = await list({ filter: { ...titled, '<DEADLINE': cut } });
    assert.deepEqual(listedIds(before.tasks), listedIds(listed.filter((_, index) => index + 1 <= 20 && (index + 1) % 4 !== 0)));
    const offset = '2027-01-01T23:30:00+03:00'; // 20:30 UTC, the same instant as `cut`
    const after = await rest('tasks.task.list', { filter: { ...titled, '>DEADLINE': offset } }, marcus.token);
    assert.equal(after.body.total, listed.filter((_, index) => index + 1 > 20 && (index + 1) % 4 !== 0).length);
    assertBadArgument(await rest('tasks.task.list', { filter: { '<DEADLINE': 'soon' } }, marcus.token), /<DEADLINE must be an ISO 8601/);
  });

  test('filters by ACCOMPLICE, AUDITOR and MEMBER', async () => {
    const accomplice = await list({ filter: { ...titled, ACCOMPLICE: ben.id } });
    assert.deepEqual(listedIds(accomplice.tasks), listedIds(listed.filter((_, index) => (index + 1) % 10 === 0)));
    const auditor = await list({ filter: { ...titled, AUDITOR: ben.id } });
    assert.deepEqual(listedIds(auditor.tasks), listedIds(listed.filter((_, index) => (index + 1) % 15 === 0)));
    const member = await list({ filter: { ...titled, MEMBER: ben.id } });
    assert.deepEqual(listedIds(member.tasks), listedIds(listed.filter((_, index) => (index + 1) % 10 === 0 || (index + 1) % 15 === 0)));
    const notAccomplice = await rest('tasks.task.list', { filter: { ...titled, '!ACCOMPLICE': ben.id } }, marcus.token);
    assert.equal(notAccomplice.body.total, LISTED - LISTED / 10);
    assertBadArgument(await rest('tasks.task.list', { filter: { '>MEMBER': 1 } }, marcus.token), /takes = or !/);
  });

  test('orders by DEADLINE either way with tasks without a deadline last, and by ID', async () => {
    const dated = listed.filter((t) => t.deadline !== null);
    const undated = listed.filter((t) => t.deadline === null);
    const asc = await list({ filter: { ...titled, '>ID': listed[9].id }, order: { DEADLINE: 'asc' } });
    const deadlines = asc.tasks.map((t: { deadline: string | null }) => t.deadline);
    const firstNull = deadlines.indexOf(null);
    assert.ok(firstNull > 0);
    assert.ok(deadlines.slice(firstNull).every((d: string | null) => d === null));
    const shown = deadlines.slice(0, firstNull) as string[];
    assert.deepEqual(shown, [...shown].sort());
    const desc = await list({ filter: titled, order: { DEADLINE: 'DESC' } });
    assert.equal(desc.tasks[0].id, dated.at(-1).id);
    const byId = await list({ filter: titled, order: { ID: 'desc' } });
    assert.equal(byId.tasks[0].id, listed.at(-1).id);
    assert.ok(undated.length > 0);
    assertBadArgument(await rest('tasks.task.list', { order: { PASSWORD: 'asc' } }, marcus.token), /Cannot sort by PASSWORD/);
    assertBadArgument(await rest('tasks.task.list', { order: { ID: 'sideways' } }, marcus.token), /ASC or DESC/);
  });

  test('select chooses the fields of each task; * or none gives all of them', async () => {
    const some = await list({ filter: titled, select: ['TITLE', 'DEADLINE', 'NO_SUCH_FIELD'], start: -1 });
    assert.deepEqual(Object.keys(some.tasks[0]).sort(), [...ALWAYS_SELECTED, 'deadline', 'lengthDeadline', 'title'].sort());
    const star = await list({ filter: titled, select: ['*'], start: -1 });
    const none = await list({ filter: titled, start: -1 });
    assert.deepEqual(star.tasks[0], none.tasks[0]);
    assert.deepEqual(none.tasks[0], listed[0]);
  });

  test('lists only the tasks the caller takes part in; an administrator lists all of them', async () => {
    const secret = await add({ TITLE: 'Listed secret' }, olivia.token);
    const forBen = await list({ filter: titled, start: -1 }, ben.token);
    assert.deepEqual(listedIds(forBen.tasks), listedIds(listed.filter((_, index) => (index + 1) % 10 === 0 || (index + 1) % 15 === 0)));
    const forAnna = await rest('tasks.task.list', { filter: titled }, anna);
    assert.equal(forAnna.body.total, LISTED + 1);
    const forMarcus = await rest('tasks.task.list', { filter: titled }, marcus.token);
    assert.equal(forMarcus.body.total, LISTED);
    assert.ok(!forMarcus.body.result.tasks.some((t: { id: string }) => t.id === secret.id));
  });

  test('SQL metacharacters in filters are only values', async () => {
    for (const filter of [
      { TITLE: "'; DROP TABLE tasks; --" },
      { '%TITLE': "' OR '1'='1" },
      { '%TITLE': '%%' },
      { '%TITLE': '__' },
      { 'ID) OR (1=1': 1, TITLE: 'nothing' },
    ]) {
      const reply = await rest('tasks.task.list', { filter }, anna);
      assert.equal(reply.status, 200, JSON.stringify(filter));
      assert.deepEqual(reply.body.result.tasks, [], JSON.stringify(filter));
    }
    assertBadArgument(await rest('tasks.task.list', { filter: { ID: '1 OR 1=1' } }, anna), /ID must be an integer/);
    assert.equal((await rest('tasks.task.list', { filter: titled }, marcus.token)).body.total, LISTED);
  });
});

describe('task events', () => {
  /** What each member's event log got since `marks`: `task_add:ID` and the like, tasks module only. */
  async function taskCommandsSince(marks: Map<number, number>) {
    const seen = new Map<number, string[]>();
    for (const [memberId, after] of marks) {
      const events = await eventsAfter(portal.db, memberId, after);
      seen.set(
        memberId,
        events
          .map((event) => JSON.parse(event.payload) as PullBody)
          .filter((body) => body.module_id === 'tasks')
          .map((body) => `${body.command}:${(body.params as { TASK_ID: number }).TASK_ID}`),
      );
    }
    return seen;
  }
  const marksOf = async (ids: number[]) =>
    new Map(await Promise.all(ids.map(async (id) => [id, await currentSeq(portal.db, id)] as const)));

  test('each committed change reaches the participants before and after as task_add, task_update and task_remove', async () => {
    const everyone = [annaId, ben.id, olivia.id, marcus.id];
    let marks = await marksOf(everyone);
    const task = await add({ TITLE: 'Evented', RESPONSIBLE_ID: olivia.id, AUDITORS: [annaId] });
    const id = Number(task.id);
    assert.deepEqual(
      Object.fromEntries(await taskCommandsSince(marks)),
      Object.fromEntries([
        [annaId, [`task_add:${id}`]],
        [ben.id, [`task_add:${id}`]],
        [olivia.id, [`task_add:${id}`]],
        [marcus.id, []],
      ]),
    );
    marks = await marksOf(everyone);
    await ok(rest('tasks.task.update', { taskId: task.id, fields: { RESPONSIBLE_ID: marcus.id } }, ben.token));
    // olivia was the responsible one: she learns she no longer is.
    const update = await taskCommandsSince(marks);
    for (const member of everyone) assert.deepEqual(update.get(member), [`task_update:${id}`], `member ${member}`);
    const [oliviaUpdate] = await eventsAfter(portal.db, olivia.id, marks.get(olivia.id) as number);
    const params = (JSON.parse(oliviaUpdate?.payload ?? '{}') as PullBody).params as Record<string, any>;
    assert.deepEqual(params.BEFORE, { RESPONSIBLE_ID: String(olivia.id), GROUP_ID: 0 });
    assert.deepEqual(params.AFTER, { RESPONSIBLE_ID: String(marcus.id), GROUP_ID: 0 });
    assert.deepEqual(params.params.removedParticipants, [olivia.id]);
    assert.equal(params.USER_ID, ben.id);
    assert.match(params.event_GUID, /^[0-9a-f-]{36}$/);

    marks = await marksOf(everyone);
    await ok(rest('tasks.task.complete', { taskId: task.id }, marcus.token));
    await ok(rest('tasks.task.renew', { taskId: task.id }, marcus.token));
    await ok(rest('tasks.task.delete', { taskId: task.id }, ben.token));
    assert.deepEqual(
      Object.fromEntries(await taskCommandsSince(marks)),
      Object.fromEntries([
        [annaId, [`task_update:${id}`, `task_update:${id}`, `task_remove:${id}`]],
        [ben.id, [`task_update:${id}`, `task_update:${id}`, `task_remove:${id}`]],
        [olivia.id, []],
        [marcus.id, [`task_update:${id}`, `task_update:${id}`, `task_remove:${id}`]],
      ]),
    );
  });

  test('refused and empty changes tell nobody anything', async () => {
    const task = await add({ TITLE: 'Quiet', STATUS: 5 });
    const marks = await marksOf([annaId, ben.id, marcus.id]);
    await rest('tasks.task.update', { taskId: task.id, fields: { TITLE: '' } }, ben.token);
    await rest('tasks.task.delete', { taskId: task.id }, marcus.token);
    await ok(rest('tasks.task.complete', { taskId: task.id }, ben.token));
    await ok(rest('tasks.task.update', { taskId: task.id, fields: { UNKNOWN: 1 } }, ben.token));
    for (const commands of (await taskCommandsSince(marks)).values()) assert.deepEqual(commands, []);
  });
});

describe('batch', () => {
  test('a batch adds tasks and lists them, reading ids from earlier results', async () => {
    const reply = await rest(
      'batch',
      {
        halt: 1,
        cmd: {
          first: `tasks.task.add?fields[TITLE]=Batched%20one&fields[RESPONSIBLE_ID]=${olivia.id}`,
          second: 'tasks.task.add?fields[TITLE]=Batched%20two&fields[PRIORITY]=2',
          both: 'tasks.task.list?filter[ID][]=$result[first][task][id]&filter[ID][]=$result[second][task][id]&order[ID]=desc',
          again: 'tasks.task.get?taskId=$result[first][task][id]&select[]=TITLE',
        },
      },
      ben.token,
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const { result, result_error, result_total } = reply.body.result;
    assert.deepEqual(result_error, []);
    assert.equal(result.first.task.responsibleId, String(olivia.id));
    assert.deepEqual(
      result.both.tasks.map((t: { title: string }) => t.title),
      ['Batched two', 'Batched one'],
    );
    assert.equal(result_total.both, 2);
    assert.deepEqual({ id: result.again.task.id, title: result.again.task.title }, { id: result.first.task.id, title: 'Batched one' });
    assert.equal(result.again.task.status, undefined);
  });
});
