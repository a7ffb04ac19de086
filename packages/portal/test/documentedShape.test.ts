import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, describe, isFailed, type Report, requiredKeys, type Shape, widen } from './documentedShape.ts';

function problemsOf(shape: Shape, ours: unknown, skip?: (path: string) => boolean): string[] {
  const report: Report = { problems: new Set(), checked: new Set(), failed: new Set() };
  check(shape, ours, report, skip);
  return [...report.problems];
}

test('a documented key that is missing or of another JSON type is reported with its path', () => {
  const shape = describe({ result: { id: 1, name: 'Deal', manager_list: [503], restrictions: { avatar: true } } });
  assert.deepEqual(problemsOf(shape, { result: { id: '1', restrictions: {}, extra: 1 } }), [
    'result.id: string, documented number',
    'result.name: missing',
    'result.manager_list: missing',
    'result.restrictions.avatar: missing',
  ]);
  assert.deepEqual(problemsOf(shape, { result: { id: 7, name: '', manager_list: [], restrictions: { avatar: false } } }), []);
});

test('each element of ours is checked against the documented elements, merged: a key is required when all of them have it', () => {
  const shape = describe({
    messages: [
      { id: 1, uuid: 'a', params: { LIKE: [5] } },
      { id: 2, uuid: null, params: [] },
    ],
  });
  assert.deepEqual(problemsOf(shape, { messages: [] }), []);
  assert.deepEqual(problemsOf(shape, { messages: [{ id: 3, uuid: null, params: {} }] }), []);
  assert.deepEqual(
    problemsOf(shape, {
      messages: [
        { id: 3, uuid: 5, params: null },
        { uuid: 'b', params: [] },
      ],
    }),
    ['messages[].uuid: number, documented string or null', 'messages[].params: null, documented object or array', 'messages[].id: missing'],
  );
});

test('elements of a kind are checked against the documented elements of that kind', () => {
  const shape = describe({
    items: [
      { id: 547, type: 'user' },
      { id: 'chat1317', type: 'chat', chat: { id: 1317 } },
    ],
  });
  assert.deepEqual(
    problemsOf(shape, {
      items: [
        { id: 'chat2', type: 'chat', chat: { id: 2 } },
        { id: 4, type: 'user' },
      ],
    }),
    [],
  );
  assert.deepEqual(
    problemsOf(shape, {
      items: [
        { id: '4', type: 'user' },
        { id: 'chat2', type: 'chat' },
      ],
    }),
    ['items[type=user].id: string, documented number', 'items[type=chat].chat: missing'],
  );
});

test('a map keyed by ids is checked entry by entry, and PHP empty arrays stand for empty maps both ways', () => {
  const shape = describe({ CHAT: [], DIALOG: { 547: 1 }, auditorsData: { 13: { id: '13', name: 'John' } } });
  assert.deepEqual(problemsOf(shape, { CHAT: { 12: 3 }, DIALOG: [], auditorsData: { 4: { id: '4', name: 'Ben' } } }), []);
  assert.deepEqual(problemsOf(shape, { CHAT: {}, DIALOG: { 5: '1' }, auditorsData: [{ id: '4' }] }), [
    'DIALOG{}: string, documented number',
    'auditorsData: array, documented object',
  ]);
  assert.deepEqual(problemsOf(describe({ manager_list: [503] }), { manager_list: {} }), ['manager_list: object, documented array']);
});

test('null is accepted only where the docs show it, in this example or another example of the same object', () => {
  const added = describe({ task: { parentId: null, deadline: null, sprintId: null } });
  const completed = describe({ task: { parentId: '7817', deadline: '2025-09-19T17:00:00+02:00' } });
  assert.deepEqual(problemsOf(added, { task: { parentId: '12', deadline: null, sprintId: '3' } }), [
    'task.parentId: string, documented null',
    'task.sprintId: string, documented null',
  ]);
  widen(added, completed);
  assert.deepEqual(problemsOf(added, { task: { parentId: '12', deadline: null, sprintId: '3' } }), [
    'task.sprintId: string, documented null',
  ]);
  assert.deepEqual(problemsOf(completed, { task: { parentId: null, deadline: null } }), [
    'task.parentId: null, documented string',
    'task.deadline: null, documented string',
  ]);
});

test('keys left out on purpose are neither required nor counted, and a failed key fails the keys under it', () => {
  const shape = describe({ result: { task: { id: '1' }, time: { start: 1 } } });
  assert.deepEqual(requiredKeys(shape), ['result', 'result.task', 'result.task.id', 'result.time', 'result.time.start']);
  assert.deepEqual(
    problemsOf(shape, { result: { task: { id: '1' } } }, (path) => path === 'result.time'),
    [],
  );
  const report: Report = { problems: new Set(), checked: new Set(), failed: new Set() };
  check(shape, { result: { time: { start: 2 } } }, report);
  assert.equal(isFailed(report, 'result.task.id'), true);
  assert.equal(isFailed(report, 'result.time.start'), false);
});
