import './localhostDispatcher.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { createWebhookChecked } from '../src/admin/directory.ts';
import { buildApp } from '../src/app.ts';
import { redactUrl } from '../src/http/logRedaction.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import { pkcePair, postForm, postJson } from './signIn.ts';

test('redactUrl hides webhook secrets and credential parameters', () => {
  assert.equal(redactUrl('/rest/12/abcdef0123/user.current?x=1'), '/rest/12/***/user.current?x=1');
  assert.equal(redactUrl('/rest/user.get?auth=tok&start=50'), '/rest/user.get?auth=***&start=50');
  assert.equal(
    redactUrl('/oauth/token/?grant_type=refresh_token&refresh_token=r1&client_id=c'),
    '/oauth/token/?grant_type=refresh_token&refresh_token=***&client_id=c',
  );
  assert.equal(redactUrl('/rest/user.current'), '/rest/user.current');
  // The SDK builds `//` when a base URL ends in a slash; the router accepts it, so must the redaction.
  assert.equal(redactUrl('/rest//12/abcdef0123/user.current'), '/rest//12/***/user.current');
  assert.equal(redactUrl('//rest/12/abcdef0123//user.current'), '//rest/12/***//user.current');
  assert.equal(redactUrl('/REST/12/abcdef0123/user.current'), '/REST/12/***/user.current');
});

test('redactUrl hides credentials under encoded names too (regression: issue 17, D5)', () => {
  for (const [url, redacted] of [
    ['/rest/user.get?%61uth=tok&start=50', '/rest/user.get?%61uth=***&start=50'],
    ['/oauth/token/?refresh%5Ftoken=r1', '/oauth/token/?refresh%5Ftoken=***'],
    ['/rest/user.get?AUTH=tok', '/rest/user.get?AUTH=***'],
    ['/rest/user.get?auth[0]=tok', '/rest/user.get?auth[0]=***'],
    ['/rest/user.get?auth%5B0%5D=tok', '/rest/user.get?auth%5B0%5D=***'],
    ['/realtime?Authorization=Bearer%20tok', '/realtime?Authorization=***'],
    ['/%72est/12/abcdef0123/user.current', '/%72est/12/***/user.current'],
    ['/rest/%34/abcdef0123/user.current', '/rest/%34/***/user.current'],
    ['/rest/4/abcdef0123/', '/rest/4/***/'],
    ['/rest/4/abcdef0123', '/rest/4/***'],
  ]) {
    assert.equal(redactUrl(url as string), redacted, url);
  }
});

test('server logs never contain a password, token, code or webhook secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-log-'));
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const db = await openDatabase(dir);
  await seedDemo(db, Date.now());
  const hook = await createWebhookChecked(db, 'acme', 'anna@example.com', ['user'], Date.now());
  const app = await buildApp({ db, logger: { level: 'trace', stream } });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const acme = `http://acme.localhost:${port}`;
    const pkce = pkcePair();
    const login = await postJson(`${acme}/oauth/desktop/login`, {
      login: 'anna@example.com',
      password: 'multidesk-demo',
      client_id: DESKTOP_CLIENT_ID,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      device_name: 'Log test',
    });
    await postJson(`${acme}/oauth/desktop/login`, { login: 'anna@example.com', password: 'wrong-secret-password' });
    const query = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: DESKTOP_CLIENT_ID,
      code: login.body.code,
      code_verifier: pkce.verifier,
    });
    const tokens = (await (await fetch(`${acme}/oauth/token/?${query}`)).json()) as { access_token: string; refresh_token: string };
    await postForm(`${acme}/oauth/token/`, {
      grant_type: 'refresh_token',
      client_id: DESKTOP_CLIENT_ID,
      refresh_token: tokens.refresh_token,
    });
    await fetch(`${acme}/rest/user.current?auth=${tokens.access_token}`);
    await fetch(`${acme}/rest/${hook.memberId}/${hook.secret}/user.current`);
    // The same credentials under encoded names and path segments.
    await fetch(`${acme}/rest/user.current?%61uth=${tokens.access_token}`);
    await fetch(`${acme}/%72est/${hook.memberId}/${hook.secret}/user.current`);
    const encodedId = [...String(hook.memberId)].map((digit) => `%3${digit}`).join('');
    assert.equal((await fetch(`${acme}/rest/${encodedId}/${hook.secret}/user.current`)).status, 200, 'the encoded id is served');
    await fetch(`${acme}/oauth/token/?grant_type=refresh_token&client_id=${DESKTOP_CLIENT_ID}&refresh%5Ftoken=${tokens.refresh_token}`);
    await fetch(`${acme}/realtime?Authorization=${tokens.access_token}`);
    const network = await postJson(`http://localhost:${port}/network/login`, { login: 'anna@example.com', password: 'multidesk-demo' });
    await postJson(`http://localhost:${port}/network/authorize`, {
      session: network.body.session,
      portal_url: acme,
      client_id: DESKTOP_CLIENT_ID,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const log = lines.join('');
    assert.ok(log.includes('/rest/'), 'the requests were logged');
    for (const secret of [
      'multidesk-demo',
      'wrong-secret-password',
      login.body.code,
      pkce.verifier,
      tokens.access_token,
      tokens.refresh_token,
      hook.secret,
      network.body.session,
    ]) {
      assert.ok(!log.includes(secret), `the log contains a secret (${secret.slice(0, 4)}…)`);
    }
  } finally {
    await app.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
