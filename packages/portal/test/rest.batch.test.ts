import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addColleagues, call, postJson, restPortal, webhookFor } from './tokens.ts';

const { portal, acme, token } = await restPortal({ signIn: 'anna@example.com' });

const batch = (body: Record<string, unknown>) => postJson(`${acme}/rest/batch`, { auth: token, ...body });

test('batch runs each command and answers the five result maps, each with its time block', async () => {
  const reply = await batch({ halt: 0, cmd: { me: 'user.current', list: 'user.get?sort=ID', now: 'server.time' } });
  assert.equal(reply.status, 200);
  const { result, time } = reply.body;
  assert.ok(time && typeof time.start === 'number');
  assert.equal(result.result.me.EMAIL, 'anna@example.com');
  assert.equal(result.result.list.length, 4);
  assert.deepEqual(result.result_total, { list: 4 });
  assert.deepEqual(result.result_error, []);
  assert.deepEqual(result.result_next, []);
  assert.deepEqual(Object.keys(result.result_time).sort(), ['list', 'me', 'now']);
  for (const sub of Object.values(result.result_time) as { start: number; date_start: string }[]) {
    assert.equal(typeof sub.start, 'number');
    assert.match(sub.date_start, /[+-]\d{2}:\d{2}$/);
  }
});

test('$result references read fields of earlier results, also inside lists', async () => {
  const reply = await batch({
    halt: 0,
    cmd: {
      me: 'user.current',
      again: 'user.get?ID=$result[me][ID]',
      ben: 'user.get?filter[EMAIL]=ben@example.com',
      benAgain: 'user.get?FILTER[ID]=$result[ben][0][ID]',
      text: `user.get?filter[NAME]=${encodeURIComponent('$result[ben][0][NAME]')}`,
    },
  });
  const { result } = reply.body.result;
  assert.equal(result.again[0].EMAIL, 'anna@example.com');
  assert.equal(result.benAgain[0].EMAIL, 'ben@example.com');
  assert.equal(result.text[0].EMAIL, 'ben@example.com');
});

test('a failed command is reported in result_error and the others still run without halt', async () => {
  const reply = await batch({ halt: 0, cmd: { a: 'nope.method', b: 'user.get?filter[ID]=x', c: 'user.current' } });
  const { result } = reply.body;
  assert.equal(result.result_error.a.error, 'ERROR_METHOD_NOT_FOUND');
  assert.equal(result.result_error.b.error, 'INVALID_ARG_VALUE');
  assert.equal(result.result.c.EMAIL, 'anna@example.com');
  assert.deepEqual(Object.keys(result.result), ['c']);
});

test('halt=1 stops at the first error', async () => {
  const reply = await batch({ halt: 1, cmd: { a: 'server.time', b: 'nope.method', c: 'user.current' } });
  const { result } = reply.body;
  assert.deepEqual(Object.keys(result.result), ['a']);
  assert.deepEqual(Object.keys(result.result_error), ['b']);
  assert.deepEqual(Object.keys(result.result_time), ['a']);
});

test('a list of commands answers lists keyed by position', async () => {
  const reply = await batch({ cmd: ['server.time', 'user.current'] });
  const { result } = reply.body;
  assert.ok(Array.isArray(result.result));
  assert.equal(result.result[1].EMAIL, 'anna@example.com');
  assert.ok(Array.isArray(result.result_time) && result.result_time.length === 2);
});

test('batch takes a form body with PHP-style cmd keys', async () => {
  const body = new URLSearchParams({ auth: token, halt: '0', 'cmd[me]': 'user.current', 'cmd[same]': 'user.get?ID=$result[me][ID]' });
  const reply = await call(`${acme}/rest/batch`, { method: 'POST', body });
  assert.equal(reply.body.result.result.same[0].EMAIL, 'anna@example.com');
});

test('more than 50 commands is 400', async () => {
  const cmd = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, 'server.time']));
  const reply = await batch({ cmd });
  assert.equal(reply.status, 400);
  assert.equal(reply.body.error, 'ERROR_BATCH_LENGTH_EXCEEDED');
  const fifty = await batch({ cmd: Object.fromEntries(Object.entries(cmd).slice(0, 50)) });
  assert.equal(fifty.status, 200);
  assert.equal(Object.keys(fifty.body.result.result).length, 50);
});

test('batch inside batch is refused', async () => {
  const reply = await batch({ cmd: { inner: 'batch?cmd[a]=server.time', outer: 'server.time' } });
  assert.equal(reply.body.result.result_error.inner.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
  assert.ok(reply.body.result.result.outer);
});

test('commands run with the batch caller auth and scopes', async () => {
  const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['profile']);
  const reply = await postJson(`${hook.url}/batch`, { cmd: { me: 'profile', list: 'user.get', other: 'user.current?auth=stolen' } });
  const { result } = reply.body;
  assert.equal(result.result.me.NAME, 'Ben');
  assert.equal(result.result_error.list.error, 'insufficient_scope');
  assert.equal(result.result_error.other.error, 'insufficient_scope');
  assert.equal((await postJson(`${acme}/rest/batch`, { cmd: { a: 'server.time' } })).status, 401);
});

test('list commands report result_total and result_next, and $result_next pages on', async () => {
  await addColleagues(portal, 'acme', 55, 'batch');
  const reply = await batch({ cmd: { first: 'user.get', second: 'user.get?start=$result_next[first]' } });
  const { result } = reply.body;
  assert.equal(result.result_total.first, 59);
  assert.equal(result.result_next.first, 50);
  assert.equal(result.result.second.length, 9);
  assert.equal(result.result_next.second, undefined);
});
