import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAppChecked, removeAppChecked } from '../src/admin/apps.ts';
import { APP_HANDLER, appTokenRequest, authorizeApp, createTestApp, type TestApp } from './appClient.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { call } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

let portal: TestPortal;
let app: TestApp;
let clientId: string;
let clientSecret: string;
before(async () => {
  portal = await startTestPortal();
  app = await createTestApp(portal, 'acme');
  ({ clientId, clientSecret } = app);
});
after(() => portal.close());

const HANDLER = APP_HANDLER;
const PASSWORD = 'multidesk-demo';
const authorize = (state = 'xyz', who = 'anna@example.com') => authorizeApp(portal, 'acme', app, state, who);
const token = (params: Record<string, string>, method: 'GET' | 'POST' = 'POST') => appTokenRequest(portal, params, method);
const exchange = (code: string, secret = clientSecret, method: 'GET' | 'POST' = 'GET') =>
  token({ grant_type: 'authorization_code', client_id: clientId, client_secret: secret, code }, method);

describe('Bitrix24 apps: authorization on the portal', () => {
  test('after the web sign-in the browser goes to the registered handler with Bitrix24 parameters', async () => {
    const handler = await authorize('opaque-state-1');
    assert.equal(`${handler.origin}${handler.pathname}`, HANDLER);
    assert.deepEqual([...handler.searchParams.keys()].sort(), ['code', 'domain', 'member_id', 'scope', 'server_domain', 'state']);
    assert.equal(handler.searchParams.get('state'), 'opaque-state-1');
    assert.equal(handler.searchParams.get('domain'), `acme.localhost:${portal.port}`);
    assert.equal(handler.searchParams.get('server_domain'), `localhost:${portal.port}`);
    assert.equal(handler.searchParams.get('scope'), 'user,im,task,pull');
    const acme = await portal.db.selectFrom('portals').select('member_id').where('name', '=', 'acme').executeTakeFirstOrThrow();
    assert.equal(handler.searchParams.get('member_id'), acme.member_id);
  });

  test('a signed-in browser is sent on at once; redirect_uri in the request is ignored', async () => {
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('ben@example.com', PASSWORD);
    const answer = await browser.get(`/oauth/authorize/?client_id=${clientId}&state=s&redirect_uri=https://evil.example/`);
    assert.equal(answer.status, 302);
    assert.ok(answer.location?.startsWith(`${HANDLER}?`), answer.location ?? '');
  });

  test('an unknown client, or an app of another portal, gets an error page and no redirect', async () => {
    for (const [site, id] of [
      ['acme', 'local.00000000000000.00000000'],
      ['globex', clientId],
      ['acme', ''],
    ] as const) {
      const page = await new Browser(portal.url(site)).get(`/oauth/authorize/?client_id=${id}&state=s`);
      assert.equal(page.status, 400, `${site} ${id}`);
      assert.equal(page.location, null);
      assert.match(page.text, /No application with this client id is installed/);
    }
  });
});

describe('Bitrix24 apps: the token server on the network host', () => {
  test('a code is exchanged with the secret (GET) for a Bitrix24 token response that works on REST three ways', async () => {
    const code = (await authorize()).searchParams.get('code') ?? '';
    const answer = await exchange(code);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const t = answer.body;
    assert.equal(t.domain, `localhost:${portal.port}`);
    assert.equal(t.server_endpoint, `${portal.url()}/rest/`);
    assert.equal(t.client_endpoint, `${portal.url('acme')}/rest/`);
    assert.equal(t.scope, 'user,im,task,pull');
    assert.equal(t.status, 'L');
    assert.equal(t.expires_in, 3600);
    assert.equal(typeof t.user_id, 'number');
    for (const key of ['access_token', 'refresh_token', 'expires', 'member_id']) assert.ok(t[key], key);
    const byAuth = await call(`${t.client_endpoint}user.current?auth=${t.access_token}`);
    assert.equal(byAuth.body.result.EMAIL, 'anna@example.com');
    const byAccessToken = await call(`${t.client_endpoint}user.current?access_token=${t.access_token}`);
    assert.equal(byAccessToken.body.result.EMAIL, 'anna@example.com');
    const byBearer = await call(`${t.client_endpoint}user.current`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(byBearer.body.result.EMAIL, 'anna@example.com');
    const elsewhere = await call(`${portal.url('globex')}/rest/user.current?auth=${t.access_token}`);
    assert.equal(elsewhere.status, 401, 'an acme token is worthless on globex');
  });

  test('refresh (POST form) rotates; presenting the old refresh token again revokes the sign-in', async () => {
    const first = (await exchange((await authorize()).searchParams.get('code') ?? '', clientSecret, 'POST')).body;
    const refresh = (refreshToken: string) =>
      token({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken });
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    const reused = await refresh(first.refresh_token);
    assert.equal(reused.body.error, 'invalid_grant');
    assert.equal((await call(`${portal.url('acme')}/rest/user.current?auth=${second.body.access_token}`)).status, 401);
  });

  test('a wrong secret is 401 invalid_client and spends nothing; a code works once and for 30 seconds', async () => {
    const code = (await authorize()).searchParams.get('code') ?? '';
    const wrong = await exchange(code, 'not-the-secret');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.equal((await exchange(code)).status, 200, 'the code survived the wrong secret');
    const again = await exchange(code);
    assert.equal(again.body.error, 'invalid_grant');

    const late = (await authorize()).searchParams.get('code') ?? '';
    portal.clock.advance(31_000);
    assert.equal((await exchange(late)).body.error, 'invalid_grant');
  });

  test('the portal host does not hand out app tokens, and the network does not take desktop clients', async () => {
    const code = (await authorize()).searchParams.get('code') ?? '';
    const onPortal = await call(`${portal.url('acme')}/oauth/token/`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code }),
    });
    assert.equal(onPortal.status, 401);
    assert.equal(onPortal.body.error, 'invalid_client');
    const desktop = await token({ grant_type: 'refresh_token', client_id: 'multidesk-desktop', refresh_token: 'x' });
    assert.equal(desktop.body.error, 'invalid_client');
  });

  test('wrong secrets are throttled per IP', async () => {
    const limited = await startTestPortal({ limits: { tokenFailuresPerIp: 3 } });
    try {
      const app = await createAppChecked(limited.db, { portal: 'acme', title: 'T', redirectUri: HANDLER }, limited.clock.now());
      const attempt = () =>
        call(`${limited.url()}/oauth/token/`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: app.app.client_id,
            client_secret: 'guess',
            refresh_token: 'x',
          }),
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  test('removing the app ends its sign-ins at once', async () => {
    const other = await createTestApp(portal, 'acme');
    const code = (await authorizeApp(portal, 'acme', other)).searchParams.get('code') ?? '';
    const t = (await token({ grant_type: 'authorization_code', client_id: other.clientId, client_secret: other.clientSecret, code })).body;
    assert.equal((await call(`${portal.url('acme')}/rest/user.current?auth=${t.access_token}`)).status, 200);
    await removeAppChecked(portal.db, 'acme', other.clientId, portal.clock.now());
    assert.equal((await call(`${portal.url('acme')}/rest/user.current?auth=${t.access_token}`)).status, 401);
    const again = await token({
      grant_type: 'authorization_code',
      client_id: other.clientId,
      client_secret: other.clientSecret,
      code: 'x',
    });
    assert.equal(again.body.error, 'invalid_client');
  });
});
