import assert from 'node:assert/strict';
import { test } from 'node:test';
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
