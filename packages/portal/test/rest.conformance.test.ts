import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { appTokens, createTestApp } from './appClient.ts';
import { check, describe, isFailed, locate, type Report, requiredKeys, type Shape, widen } from './documentedShape.ts';
import { postJson, restPortal, signInAs } from './tokens.ts';

/**
 * Every REST method the portal serves answers with every key, and the JSON type of each, that the
 * official Bitrix24 docs show in their example answer. Each method is called on a real portal with
 * arguments like the documented request's, naming real chats, messages and tasks;
 * documentedShape.ts has the rules of the check.
 */

/**
 * The examples: a copy of the team's `shared/bitrix24/rest-examples.json` (its `_meta` names the
 * docs' commits it was taken from), kept in the repository so that a clone anywhere runs this test;
 * read from beside the repository, it failed in every clone but the one next to `shared/`.
 */
const EXAMPLES = new URL('./fixtures/bitrix24-rest-examples.json', import.meta.url);
const docs: Record<string, { example_response: unknown }> = JSON.parse(readFileSync(EXAMPLES, 'utf8'));
const documented = Object.keys(docs).filter((name) => !name.startsWith('_'));

/** Documented methods the portal does not serve (each must answer ERROR_METHOD_NOT_FOUND), and why. */
const NOT_SERVED: Record<string, string> = {
  'method.get': 'not served yet; `methods` (served, checked here) tells which methods there are',
  'im.recent.get': 'not served yet; im.recent.list (served, checked here) answers the same items, paged',
  'im.chat.get': 'finds a chat by the CRM entity bound to it (ENTITY_TYPE, ENTITY_ID); the portal has no CRM',
  'im.dialog.users.list': "not served yet; im.dialog.get (served, checked here) lists a chat's members in `users`",
};

/** Documented keys left out on purpose, and why. */
const EXCUSED: { method: string; path: string; why: string }[] = [
  {
    method: 'batch',
    path: 'result.result.get_department',
    why: 'department.get is not served: the portal has no departments (every member is in 1)',
  },
  {
    method: 'tasks.task.renew',
    path: 'result.time',
    why: "the docs' own note calls `time` inside `result` a documentation error: every answer has it at the top, as ours does",
  },
];

/** Maps keyed by names rather than ids: entries are checked, the names the docs happen to show are not required. */
const KEYED_BY_NAME: Record<string, string[]> = {
  'im.recent.list': ['result.copilot.roles'],
  batch: ['result.result_error', 'result.result_total', 'result.result_next', 'result.result_time'],
};

/**
 * Places the docs show one object in (their notes say so): the types one shows there are the
 * types of the others (a task's `deadline` is null in one example and a date in another).
 */
const SAME_OBJECT: string[][] = [
  ['user.current result', 'user.get result[]', 'batch result.result.get_user'],
  ['im.recent.list result.items', 'im.recent.get result'],
  ['im.recent.list result.items[].message', 'im.recent.get result[].message'],
  ['im.recent.list result.items[].user', 'im.dialog.messages.get result.users[]', 'im.dialog.users.list result[]'],
  ['im.recent.list result.items[].chat', 'im.recent.get result[].chat', 'im.dialog.get result'],
  [
    'tasks.task.add result.task',
    'tasks.task.update result.task',
    'tasks.task.get result.task',
    'tasks.task.list result.tasks[]',
    'tasks.task.complete result.task',
    'tasks.task.renew result.task',
  ],
];

function documentedShapes(): Map<string, Shape> {
  const shapes = new Map(
    documented.map((method) => {
      const maps = KEYED_BY_NAME[method] ?? [];
      return [method, describe(docs[method]?.example_response, (path) => maps.includes(path))];
    }),
  );
  for (const places of SAME_OBJECT) {
    const found = places.flatMap((place) => {
      const [method = '', path = ''] = place.split(' ');
      const shape = shapes.get(method);
      assert.ok(shape, `SAME_OBJECT names ${method}, which the docs do not have`);
      const at = locate(shape, path);
      assert.ok(at.length > 0, `SAME_OBJECT names ${place}, which the docs do not show`);
      return at;
    });
    const originals = found.map((shape) => structuredClone(shape));
    for (const target of found) for (const other of originals) widen(target, other);
  }
  return shapes;
}

const { portal, acme } = await restPortal({ limits: { restBurst: 1_000_000 } });
const anna = await signInAs(portal, 'acme', 'anna@example.com');

/** Every answer (the whole body: result, time, total) each method gave, in the order called. */
const answers = new Map<string, unknown[]>();

async function rest(method: string, params: Record<string, unknown>, auth = anna.access_token): Promise<any> {
  const reply = await postJson(`${acme}/rest/${method}.json`, { ...params, auth });
  assert.equal(reply.status, 200, `${method}: ${JSON.stringify(reply.body)}`);
  answers.set(method, [...(answers.get(method) ?? []), reply.body]);
  return reply.body.result;
}

/** The documented requests, with real ids of acme's members, chats, messages and tasks. */
before(async () => {
  await rest('user.current', {});
  await rest('profile', {});
  await rest('server.time', {});
  await rest('methods', { scope: 'user' });
  await rest('scope', { full: true });
  const people: { ID: string; EMAIL: string }[] = await rest('user.get', { SORT: 'ID', ORDER: 'asc' });
  const id = (email: string) => Number(people.find((p) => p.EMAIL === email)?.ID);
  const [ben, olivia, marcus] = [id('ben@example.com'), id('olivia@example.com'), id('marcus@example.com')];
  await rest('batch', {
    halt: 0,
    cmd: { get_user: 'user.current', get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]' },
  });

  const chatId: number = await rest('im.chat.add', {
    USERS: [ben, olivia],
    TYPE: 'CHAT',
    TITLE: 'Deal Chat',
    DESCRIPTION: 'Discussing the deal here',
    COLOR: 'PINK',
    MESSAGE: 'Welcome to the deal chat',
  });
  const dialogId = `chat${chatId}`;
  const messageId: number = await rest('im.message.add', { DIALOG_ID: dialogId, MESSAGE: 'Message text', SYSTEM: 'N', URL_PREVIEW: 'Y' });
  await rest('im.message.update', { MESSAGE_ID: messageId, MESSAGE: 'Updated text', KEYBOARD: 'N' });
  const doomed: number = await rest('im.message.add', { DIALOG_ID: dialogId, MESSAGE: 'To be deleted' });
  await rest('im.message.delete', { MESSAGE_ID: doomed });
  await rest('im.message.add', { DIALOG_ID: ben, MESSAGE: 'Hello Ben' });
  await rest('im.dialog.read', { DIALOG_ID: dialogId, MESSAGE_ID: messageId });
  await rest('im.dialog.get', { DIALOG_ID: dialogId });
  await rest('im.dialog.get', { DIALOG_ID: ben });
  await rest('im.dialog.messages.get', { DIALOG_ID: dialogId, LIMIT: 10 });
  await rest('im.dialog.messages.get', { DIALOG_ID: ben, LIMIT: 10 });
  await rest('im.recent.list', { SKIP_OPENLINES: 'N', SKIP_DIALOG: 'N', SKIP_CHAT: 'N', OFFSET: 0, LIMIT: 20 });
  await rest('im.counters.get', {});

  const { task } = await rest('tasks.task.add', {
    fields: {
      TITLE: 'Task Title',
      DEADLINE: '2035-12-31T23:59:59',
      CREATED_BY: id('anna@example.com'),
      RESPONSIBLE_ID: ben,
      ACCOMPLICES: [olivia],
      AUDITORS: [marcus],
      UF_CRM_TASK: ['L_4', 'C_7', 'CO_5', 'D_10'],
      UF_TASK_WEBDAV_FILES: ['n12345', 'n67890'],
    },
  });
  const taskId = Number(task.id);
  await rest('tasks.task.update', { taskId, fields: { RESPONSIBLE_ID: ben, UF_CRM_TASK: ['L_4'] } });
  await rest('tasks.task.get', {
    taskId,
    select: ['ID', 'TITLE', 'DESCRIPTION', 'CREATED_BY', 'RESPONSIBLE_ID', 'DEADLINE', 'UF_CRM_TASK', 'UF_TASK_WEBDAV_FILES'],
  });
  await rest('tasks.task.list', {
    order: { DEADLINE: 'asc', PRIORITY: 'desc' },
    filter: { '!STATUS': 6, RESPONSIBLE_ID: ben },
    select: [
      'ID',
      'TITLE',
      'DESCRIPTION',
      'STATUS',
      'subStatus',
      'DEADLINE',
      'CREATED_DATE',
      'RESPONSIBLE_ID',
      'ACCOMPLICES',
      'AUDITORS',
      'TAGS',
      'COUNTERS',
      'PRIORITY',
      'MARK',
    ],
    params: { WITH_TIMER_INFO: true, WITH_RESULT_INFO: true, WITH_PARSED_DESCRIPTION: true },
  });
  await rest('tasks.task.complete', { taskId });
  await rest('tasks.task.renew', { taskId });
  await rest('tasks.task.delete', { taskId });

  const app = await createTestApp(portal, 'acme', undefined, ['pull']);
  const appToken = await appTokens(portal, 'acme', app, 'anna@example.com');
  await rest('pull.application.config.get', { CACHE: 'Y', REOPEN: 'Y' }, appToken.access_token);
});

const shapes = documentedShapes();
/** Per method: documented keys, and those present with a documented type, missing or wrong, or not reached (our list was empty). */
const figures = new Map<string, { keys: number; right: number; wrong: number; unreached: number }>();

test('every documented method is either called here or listed as not served, with a reason', async () => {
  for (const method of documented) {
    assert.ok(
      answers.has(method) !== method in NOT_SERVED,
      `${method}: called ${answers.has(method)}, listed as not served ${method in NOT_SERVED}`,
    );
  }
  for (const method of Object.keys(NOT_SERVED)) {
    const reply = await postJson(`${acme}/rest/${method}.json`, { auth: anna.access_token });
    assert.equal(reply.body.error, 'ERROR_METHOD_NOT_FOUND', `${method} is served now: check it here instead`);
  }
});

for (const method of documented.filter((name) => !(name in NOT_SERVED))) {
  test(`${method} answers every key of the documented example, each with a documented JSON type`, () => {
    const excused = EXCUSED.filter((e) => e.method === method).map((e) => e.path);
    const skip = (path: string) => excused.some((e) => path === e || ['.', '[', '{'].some((next) => path.startsWith(`${e}${next}`)));
    const shape = shapes.get(method) as Shape;
    const report: Report = { problems: new Set(), checked: new Set(), failed: new Set() };
    for (const answer of answers.get(method) ?? []) check(shape, answer, report, skip);

    const maps = KEYED_BY_NAME[method] ?? [];
    const own = describe(docs[method]?.example_response, (path) => maps.includes(path));
    const keys = requiredKeys(own).filter((key) => !skip(key));
    const wrong = keys.filter((key) => isFailed(report, key)).length;
    const right = keys.filter((key) => report.checked.has(key) && !isFailed(report, key)).length;
    figures.set(method, { keys: keys.length, right, wrong, unreached: keys.length - right - wrong });
    assert.deepEqual(
      [...report.problems].map((problem) => `${method} ${problem}`),
      [],
    );
  });
}

test('the figure: documented keys present with a documented JSON type', (t) => {
  const sum = (pick: (f: { keys: number; right: number; wrong: number; unreached: number }) => number) =>
    [...figures.values()].reduce((total, f) => total + pick(f), 0);
  for (const [method, f] of figures)
    t.diagnostic(`${method}: ${f.right} of ${f.keys} right, ${f.wrong} missing or wrong, ${f.unreached} not reached`);
  t.diagnostic(
    `all: ${sum((f) => f.right)} of ${sum((f) => f.keys)} documented keys right, ${sum((f) => f.wrong)} missing or wrong, ` +
      `${sum((f) => f.unreached)} not reached (under lists or maps ours left empty)`,
  );
  for (const { method, path, why } of EXCUSED) t.diagnostic(`excused: ${method} ${path}: ${why}`);
  for (const [method, why] of Object.entries(NOT_SERVED)) t.diagnostic(`not served: ${method}: ${why}`);
});
