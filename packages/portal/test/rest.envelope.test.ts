import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, postJson, restPortal } from './tokens.ts';

const { acme, token } = await restPortal({ signIn: 'anna@example.com' });

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;

test('a success carries result and a Bitrix24 time block', async () => {
  const sentAt = Date.now() / 1000;
  const reply = await call(`${acme}/rest/server.time?auth=${token}`);
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  const { time } = reply.body;
  assert.deepEqual(Object.keys(time).sort(), [
    'date_finish',
    'date_start',
    'duration',
    'finish',
    'operating',
    'operating_reset_at',
    'processing',
    'start',
  ]);
  assert.ok(Math.abs(time.start - sentAt) < 5, 'start is unix seconds');
  assert.ok(time.finish >= time.start);
  assert.ok(time.duration >= time.processing && time.processing >= 0);
  assert.match(time.date_start, ISO_WITH_ZONE);
  assert.match(time.date_finish, ISO_WITH_ZONE);
  assert.ok(time.operating_reset_at > time.start);
  assert.equal(typeof time.operating, 'number');
});

test('server.time answers an ISO-8601 date-time with a time zone', async () => {
  const reply = await call(`${acme}/rest/server.time?auth=${token}`);
  assert.match(reply.body.result, ISO_WITH_ZONE);
  assert.ok(Math.abs(Date.parse(reply.body.result) - Date.now()) < 5000);
});

test('a query string with PHP-style keys nests: filter[EMAIL]', async () => {
  const reply = await call(`${acme}/rest/user.get?auth=${token}&filter[EMAIL]=ben@example.com`);
  assert.deepEqual(
    reply.body.result.map((u: { EMAIL: string }) => u.EMAIL),
    ['ben@example.com'],
  );
});

test('a form body with PHP-style keys nests, and the body wins over the query', async () => {
  const body = new URLSearchParams({ auth: token, 'filter[EMAIL]': 'ben@example.com' });
  const reply = await call(`${acme}/rest/user.get?filter[EMAIL]=anna@example.com`, { method: 'POST', body });
  assert.equal(reply.status, 200);
  assert.deepEqual(
    reply.body.result.map((u: { EMAIL: string }) => u.EMAIL),
    ['ben@example.com'],
  );
});

test('a multipart body with PHP-style keys nests', async () => {
  const form = new FormData();
  form.set('auth', token);
  form.set('FILTER[EMAIL]', 'olivia@example.com');
  const reply = await call(`${acme}/rest/user.get`, { method: 'POST', body: form });
  assert.equal(reply.status, 200);
  assert.deepEqual(
    reply.body.result.map((u: { EMAIL: string }) => u.EMAIL),
    ['olivia@example.com'],
  );
});

test('a JSON body is read as the parameters', async () => {
  const reply = await postJson(`${acme}/rest/user.get`, { auth: token, FILTER: { EMAIL: ['ben@example.com', 'anna@example.com'] } });
  assert.deepEqual(reply.body.result.map((u: { EMAIL: string }) => u.EMAIL).sort(), ['anna@example.com', 'ben@example.com']);
});

test('a malformed JSON body is a 400 JSON error without a stack trace', async () => {
  const reply = await call(`${acme}/rest/user.current?auth=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"filter": {',
  });
  assert.equal(reply.status, 400);
  assert.equal(reply.body.error, 'INVALID_REQUEST');
  assert.deepEqual(Object.keys(reply.body).sort(), ['error', 'error_description']);
  assert.doesNotMatch(JSON.stringify(reply.body), /\bat \/|\.ts:\d+/);
});

test('a JSON body that is not an object of parameters is 400', async () => {
  const reply = await postJson(`${acme}/rest/user.current?auth=${token}`, ['user.current']);
  assert.equal(reply.status, 400);
  assert.equal(reply.body.error, 'INVALID_REQUEST');
});

test('a body over 1 MiB is 413 with a JSON error', async () => {
  const reply = await postJson(`${acme}/rest/user.get?auth=${token}`, { filter: { NAME: 'x'.repeat(1024 * 1024 + 10) } });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.error, 'PAYLOAD_TOO_LARGE');
});

test('a bad argument is 400 with Bitrix24 error fields and no time block', async () => {
  const reply = await call(`${acme}/rest/user.get?auth=${token}&filter[ID]=one`);
  assert.equal(reply.status, 400);
  assert.equal(reply.body.error, 'INVALID_ARG_VALUE');
  assert.match(reply.body.error_description, /ID/);
  assert.equal(reply.body.time, undefined);
});
