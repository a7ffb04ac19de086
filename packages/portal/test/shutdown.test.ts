import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, PORTAL_CLI } from './cliProcess.ts';
import { PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { call } from './tokens.ts';

/** A POST whose body is still arriving: a request in flight for as long as the test holds it. */
function slowPost(url: string): { finish(body: string): void; answer: Promise<{ status: number; body: string }> } {
  const target = new URL(url);
  const req = request({
    host: '127.0.0.1',
    port: target.port,
    path: target.pathname,
    method: 'POST',
    headers: { host: target.host, 'content-type': 'application/json', 'content-length': '2' },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  req.write('{');
  return { finish: (rest) => req.end(rest), answer };
}

describe('serve on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-shutdown-'));
  let port: number;
  let webhook: string;
  before(async () => {
    port = await freePort();
    assert.equal(spawnSync(process.execPath, [PORTAL_CLI, 'seed-demo', '--data', dataDir]).status, 0);
    const hook = spawnSync(
      process.execPath,
      [PORTAL_CLI, 'webhook', 'create', '--portal', 'acme', '--email', 'anna@example.com', '--scope', 'user,im,pull_channel'],
      { encoding: 'utf8', env: { ...process.env, MULTIDESK_DATA: dataDir, MULTIDESK_DATABASE: '' } },
    );
    webhook = (hook.stdout.trim().split('\n').at(-1) ?? '').replace('localhost:8024', `localhost:${port}`).replace(/\/$/, '');
    assert.match(webhook, /\/rest\/\d+\/[0-9a-f]+$/, hook.stderr);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('closes each Pull socket with 1001 server_restart, answers held long polls, lets a request in flight finish, and exits 0', async () => {
    const server = spawn(process.execPath, [PORTAL_CLI, 'serve', '--port', String(port), '--data', dataDir, '--log-level', 'warn'], {
      env: { ...process.env, MULTIDESK_DATABASE: '', MULTIDESK_REDIS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = once(server, 'exit');
    try {
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = (await call(`${webhook}/server.time`).catch(() => undefined))?.status === 200;
        if (!up) await sleep(100);
      }
      assert.ok(up, stderr);
      const config = await pullConfig({ webhook });
      const socket = await PullTestClient.open(pullUrl(config));
      const held = call(pullUrl(config, { longPolling: true }));
      const inFlight = slowPost(`${webhook}/server.time`);
      // The long poll and the slow request have reached the server.
      await sleep(300);

      const signalled = Date.now();
      server.kill('SIGTERM');
      assert.deepEqual(await socket.closed, { code: 1001, reason: 'server_restart' });
      const polled = await held;
      assert.equal(polled.status, 304, 'the held poll is answered with where it stands');
      assert.match(polled.headers.get('last-message-id') ?? '', /./);
      inFlight.finish('}');
      const answer = await inFlight.answer;
      assert.equal(answer.status, 200, answer.body);
      assert.ok(JSON.parse(answer.body).result, answer.body);
      const [code] = await exited;
      assert.equal(code, 0, stderr);
      assert.ok(Date.now() - signalled < 5_000, 'nothing held the shutdown for long');
    } finally {
      if (server.exitCode === null) {
        server.kill('SIGKILL');
        await exited;
      }
    }
  });
});
