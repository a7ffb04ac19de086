import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRestLimit } from '../src/http/context.ts';
import { call, postJson, restPortal, signInAs, webhookFor } from './tokens.ts';

const { portal } = await restPortal({ limits: { restBurst: 5, restDrainPerSecond: 0.001 } });

test('past the burst a user gets 503 QUERY_LIMIT_EXCEEDED, and other users do not', async () => {
  const { access_token: anna } = await signInAs(portal, 'acme', 'anna@example.com');
  const { access_token: ben } = await signInAs(portal, 'acme', 'ben@example.com');
  const url = (token: string) => `${portal.url('acme')}/rest/server.time?auth=${token}`;
  for (let i = 0; i < 5; i++) assert.equal((await call(url(anna))).status, 200, `request ${i + 1}`);
  const refused = await call(url(anna));
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error, 'QUERY_LIMIT_EXCEEDED');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal((await call(url(ben))).status, 200);
});

test('a batch counts once, whatever its number of commands', async () => {
  const hook = await webhookFor(portal, 'globex', 'ben@example.com', ['user']);
  const cmd = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}`, 'server.time']));
  for (let i = 0; i < 4; i++) assert.equal((await call(`${hook.url}/server.time`)).status, 200);
  const reply = await postJson(`${hook.url}/batch`, { cmd });
  assert.equal(reply.status, 200);
  assert.equal(Object.keys(reply.body.result.result).length, 20);
  assert.equal((await call(`${hook.url}/server.time`)).status, 503);
});

test('--rest-limit reads BURST:DRAIN and off, and refuses anything else', () => {
  assert.deepEqual(parseRestLimit('50:2'), { restBurst: 50, restDrainPerSecond: 2 });
  assert.deepEqual(parseRestLimit('250:5'), { restBurst: 250, restDrainPerSecond: 5 });
  assert.equal(parseRestLimit('OFF')?.restBurst, Number.POSITIVE_INFINITY);
  for (const bad of ['', '50', '50:', ':2', '0:2', '50:0', 'fast', '-1:2']) assert.equal(parseRestLimit(bad), null, bad);
});

test('with the limit off nobody is ever refused', async () => {
  const { portal: unlimited } = await restPortal({ limits: { restBurst: Number.POSITIVE_INFINITY } });
  const { access_token: anna } = await signInAs(unlimited, 'acme', 'anna@example.com');
  const answers = await Promise.all(
    Array.from({ length: 80 }, () => call(`${unlimited.url('acme')}/rest/server.time?auth=${anna}`).then((r) => r.status)),
  );
  assert.deepEqual([...new Set(answers)], [200]);
});
