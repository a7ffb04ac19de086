import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SSO_DISCOVER_PATH } from '@multidesk/protocol';
import type { FastifyInstance } from 'fastify';
import { createWebhookChecked } from '../src/admin/directory.ts';
import { buildApp } from '../src/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';

const BALANCER = '10.0.0.2';

/** An app over seeded SQLite that trusts `trustProxy`, and a webhook of anna's that may read her Pull config. */
async function appBehind(trustProxy?: string[]): Promise<{ app: FastifyInstance; hook: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-proxy-'));
  const db = await openDatabase(dir);
  await seedDemo(db, Date.now());
  const hook = await createWebhookChecked(db, 'acme', 'anna@example.com', ['pull_channel'], Date.now());
  const app = await buildApp({ db, ...(trustProxy ? { trustProxy } : {}) });
  after(async () => {
    await app.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, hook: `/rest/${hook.memberId}/${hook.secret}` };
}

/** An SSO look-up (20 per IP a minute) from `peer`, with what the balancer says about the client. */
const discover = (app: FastifyInstance, peer: string, forwardedFor?: string) =>
  app.inject({
    method: 'POST',
    url: SSO_DISCOVER_PATH,
    remoteAddress: peer,
    headers: { host: 'localhost', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: { email: 'someone@example.com' },
  });

const websocketUrl = async (app: FastifyInstance, hook: string, peer: string) => {
  const reply = await app.inject({
    method: 'POST',
    url: `${hook}/pull.config.get`,
    remoteAddress: peer,
    headers: { host: 'acme.localhost', 'x-forwarded-proto': 'https' },
  });
  assert.equal(reply.statusCode, 200, reply.body);
  return reply.json().result.server.websocket as string;
};

describe('behind a trusted load balancer (serve --trust-proxy)', () => {
  test('per-IP throttles count the client X-Forwarded-For names, so one client spending its budget leaves the others theirs', async () => {
    const { app } = await appBehind([BALANCER]);
    for (let i = 0; i < 20; i++) assert.equal((await discover(app, BALANCER, '203.0.113.7')).statusCode, 200);
    assert.equal((await discover(app, BALANCER, '203.0.113.7')).statusCode, 429);
    assert.equal((await discover(app, BALANCER, '198.51.100.9')).statusCode, 200);
    // A client cannot pose as another: the balancer appends the address it saw, and that one counts.
    assert.equal((await discover(app, BALANCER, '198.51.100.9, 203.0.113.7')).statusCode, 429);
  });

  test('the scheme the client used (X-Forwarded-Proto) is the one the Pull config names', async () => {
    const { app, hook } = await appBehind([BALANCER]);
    assert.match(await websocketUrl(app, hook, BALANCER), /^wss:\/\//);
  });

  test('without --trust-proxy, or from any other peer, the headers are ignored', async () => {
    const { app, hook } = await appBehind();
    for (let i = 0; i < 20; i++) await discover(app, BALANCER, `203.0.113.${i}`);
    assert.equal((await discover(app, BALANCER, '198.51.100.9')).statusCode, 429, 'all one client: the peer');
    assert.match(await websocketUrl(app, hook, BALANCER), /^ws:\/\//);
    const trusting = await appBehind([BALANCER]);
    assert.match(await websocketUrl(trusting.app, trusting.hook, '192.0.2.1'), /^ws:\/\//);
  });
});
