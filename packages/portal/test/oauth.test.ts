import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { generateRecoveryCodes } from '../src/auth/recoveryCodes.ts';
import { hashSecret } from '../src/auth/secrets.ts';
import { generateTotpSecret, totpCode } from '../src/auth/totp.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { findUserByEmail, setTotp } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { desktopSignIn, pkcePair, postForm, postJson } from './signIn.ts';
import { accessCheck } from './tokens.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const loginBody = (login: string, password: string, challenge = pkcePair().challenge) => ({
  login,
  password,
  client_id: DESKTOP_CLIENT_ID,
  code_challenge: challenge,
  code_challenge_method: 'S256',
  device_name: 'Test desktop',
});

async function accessWorks(portalName: string, token: string): Promise<boolean> {
  const p = await findPortalByName(portal.db, portalName);
  return (await accessCheck(portal, p!, token)).ok;
}

describe('desktop sign-in', () => {
  test('a member signs in with login and password and gets a Bitrix24 token response', async () => {
    const tokens = await desktopSignIn(portal, 'acme', 'anna@example.com');
    const acme = await findPortalByName(portal.db, 'acme');
    assert.equal(tokens.domain, `acme.localhost:${portal.port}`);
    assert.equal(tokens.client_endpoint, `${portal.url('acme')}/rest/`);
    assert.equal(tokens.member_id, acme?.member_id);
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.status, 'L');
    assert.equal(tokens.portal_title, 'Acme Corp', 'the extension names the portal');
    assert.ok(tokens.expires > Date.now() / 1000);
    assert.match(tokens.scope, /\buser\b/);
    assert.equal(typeof tokens.user_id, 'number');
    assert.ok(await accessWorks('acme', tokens.access_token));
  });

  test('the login is case-insensitive and surrounding spaces are ignored', async () => {
    const tokens = await desktopSignIn(portal, 'globex', '  Ben@Example.COM ');
    assert.ok(await accessWorks('globex', tokens.access_token));
  });

  test('a wrong password and an unknown login get the same answer', async () => {
    const wrong = await postJson(`${portal.url('acme')}/oauth/desktop/login`, loginBody('anna@example.com', 'not-the-password'));
    const unknown = await postJson(`${portal.url('acme')}/oauth/desktop/login`, loginBody('nobody@example.com', 'not-the-password'));
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error, 'invalid_credentials');
  });

  test('SQL metacharacters in the login are only a wrong login', async () => {
    const result = await postJson(`${portal.url('acme')}/oauth/desktop/login`, loginBody("' OR 1=1 --", "x' OR '1'='1"));
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_credentials');
  });

  test('a user who is not a member of the portal is refused after a correct password', async () => {
    const result = await postJson(`${portal.url('initech')}/oauth/desktop/login`, loginBody('ben@example.com', 'multidesk-demo'));
    assert.equal(result.status, 403);
    assert.equal(result.body.error, 'not_a_member');
  });

  test('an account with 2FA needs a code, a wrong code fails, and a code works only once', async () => {
    const chen = portal.demo.users.find((u) => u.email === 'chen@example.com')!;
    const url = `${portal.url('initech')}/oauth/desktop/login`;
    const first = await postJson(url, loginBody('chen@example.com', 'multidesk-demo'));
    assert.equal(first.status, 401);
    assert.equal(first.body.error, 'otp_required');
    const wrong = await postJson(url, { ...loginBody('chen@example.com', 'multidesk-demo'), otp: '000000' });
    assert.equal(wrong.body.error, 'invalid_otp');
    const code = totpCode(chen.totpSecret!, portal.clock.now());
    const ok = await postJson(url, { ...loginBody('chen@example.com', 'multidesk-demo'), otp: code });
    assert.equal(ok.status, 200);
    const replay = await postJson(url, { ...loginBody('chen@example.com', 'multidesk-demo'), otp: code });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_otp');
  });

  test('malformed JSON, missing fields, a plain challenge and an unknown client are 400', async () => {
    const url = `${portal.url('acme')}/oauth/desktop/login`;
    const malformed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":' });
    assert.equal(malformed.status, 400);
    assert.ok(((await malformed.json()) as { error?: string }).error);
    const missing = await postJson(url, { login: 'anna@example.com' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
    const plain = await postJson(url, { ...loginBody('anna@example.com', 'multidesk-demo'), code_challenge_method: 'plain' });
    assert.equal(plain.status, 400);
    const client = await postJson(url, { ...loginBody('anna@example.com', 'multidesk-demo'), client_id: 'evil' });
    assert.equal(client.status, 400);
    assert.equal(client.body.error, 'invalid_client');
  });

  test('a body over the limit is 413 with a JSON error', async () => {
    const result = await postJson(`${portal.url('acme')}/oauth/desktop/login`, {
      ...loginBody('a@example.com', 'x'),
      pad: 'x'.repeat(1_100_000),
    });
    assert.equal(result.status, 413);
    assert.equal(result.body.error, 'payload_too_large');
  });
});

describe('code exchange', () => {
  async function code(portalName = 'acme') {
    const pkce = pkcePair();
    const result = await postJson(
      `${portal.url(portalName)}/oauth/desktop/login`,
      loginBody('anna@example.com', 'multidesk-demo', pkce.challenge),
    );
    assert.equal(result.status, 200);
    assert.ok(result.body.expires_in <= 60);
    assert.equal(result.body.portal_title, portalName === 'acme' ? 'Acme Corp' : 'Globex');
    return { code: result.body.code as string, verifier: pkce.verifier };
  }
  const exchange = (portalName: string, fields: Record<string, string>) =>
    postForm(`${portal.url(portalName)}/oauth/token/`, { grant_type: 'authorization_code', client_id: DESKTOP_CLIENT_ID, ...fields });

  test('a code works once', async () => {
    const { code: c, verifier } = await code();
    assert.equal((await exchange('acme', { code: c, code_verifier: verifier })).status, 200);
    const again = await exchange('acme', { code: c, code_verifier: verifier });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  test('a replayed code revokes the tokens it issued (RFC 6749 4.1.2; regression: issue 17, D7)', async () => {
    const { code: c, verifier } = await code();
    const first = await exchange('acme', { code: c, code_verifier: verifier });
    assert.equal(first.status, 200);
    const works = await fetch(`${portal.url('acme')}/rest/user.current?auth=${first.body.access_token}`);
    assert.equal(works.status, 200);
    const replay = await exchange('acme', { code: c, code_verifier: verifier });
    assert.equal(replay.body.error, 'invalid_grant');
    assert.match(replay.body.error_description, /revoked/);
    const revoked = await fetch(`${portal.url('acme')}/rest/user.current?auth=${first.body.access_token}`);
    assert.equal(revoked.status, 401, 'the access token stopped working');
    const refresh = await postForm(`${portal.url('acme')}/oauth/token/`, {
      grant_type: 'refresh_token',
      client_id: DESKTOP_CLIENT_ID,
      refresh_token: first.body.refresh_token,
    });
    assert.equal(refresh.body.error, 'invalid_grant', 'the refresh token stopped working');
  });

  test('a code needs the verifier of its challenge', async () => {
    const { code: c } = await code();
    const result = await exchange('acme', { code: c, code_verifier: pkcePair().verifier });
    assert.equal(result.body.error, 'invalid_grant');
  });

  test('a code expires after a minute', async () => {
    const { code: c, verifier } = await code();
    portal.clock.advance(61_000);
    const result = await exchange('acme', { code: c, code_verifier: verifier });
    assert.equal(result.body.error, 'invalid_grant');
  });

  test('an acme code is worthless on globex', async () => {
    const { code: c, verifier } = await code('acme');
    const result = await exchange('globex', { code: c, code_verifier: verifier });
    assert.equal(result.body.error, 'invalid_grant');
  });

  test('the token endpoint takes GET with a query string too', async () => {
    const { code: c, verifier } = await code();
    const query = new URLSearchParams({ grant_type: 'authorization_code', client_id: DESKTOP_CLIENT_ID, code: c, code_verifier: verifier });
    const response = await fetch(`${portal.url('acme')}/oauth/token/?${query}`);
    assert.equal(response.status, 200);
    assert.ok(((await response.json()) as { access_token?: string }).access_token);
  });

  test('an unknown grant type is a clear 400', async () => {
    const result = await postForm(`${portal.url('acme')}/oauth/token/`, { grant_type: 'password', client_id: DESKTOP_CLIENT_ID });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });

  test('a JSON body nested thousands deep is a clear 400 at the token and revoke endpoints, not 500 (regression: issue 17, fuzzing)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const bodies = [
      `{"grant_type":"authorization_code","client_id":"${DESKTOP_CLIENT_ID}","junk":${deep}}`,
      `{"grant_type":"authorization_code","client_id":"${DESKTOP_CLIENT_ID}","code":${deep}}`,
      `{"token":${deep}}`,
    ];
    for (const [path, body] of [
      ['/oauth/token', bodies[0]],
      ['/oauth/token', bodies[1]],
      ['/oauth/revoke', bodies[2]],
    ]) {
      const response = await fetch(`${portal.url('acme')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400, `${path} ${body?.slice(0, 60)}`);
      assert.equal((await response.json()).error, 'invalid_request');
    }
  });
});

describe('refresh and revocation', () => {
  const refresh = (token: string, portalName = 'acme') =>
    postForm(`${portal.url(portalName)}/oauth/token/`, { grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: token });

  test('a refresh rotates both tokens and the old access token stays valid until it expires', async () => {
    const first = await desktopSignIn(portal, 'acme', 'anna@example.com');
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    assert.ok(await accessWorks('acme', second.body.access_token));
  });

  test('reusing a rotated refresh token revokes the whole family', async () => {
    const first = await desktopSignIn(portal, 'acme', 'anna@example.com');
    const second = await refresh(first.refresh_token);
    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.equal(await accessWorks('acme', second.body.access_token), false);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.body.error, 'invalid_grant');
  });

  test('an access token expires after an hour', async () => {
    const tokens = await desktopSignIn(portal, 'acme', 'anna@example.com');
    portal.clock.advance(3600_000 + 1000);
    const acme = await findPortalByName(portal.db, 'acme');
    const check = await accessCheck(portal, acme!, tokens.access_token);
    assert.deepEqual(check.ok ? 'ok' : check.error, 'expired_token');
    assert.equal((await refresh(tokens.refresh_token)).status, 200);
  });

  test('a refresh token of acme does nothing on globex', async () => {
    const tokens = await desktopSignIn(portal, 'acme', 'anna@example.com');
    assert.equal((await refresh(tokens.refresh_token, 'globex')).body.error, 'invalid_grant');
    assert.equal((await refresh(tokens.refresh_token, 'acme')).status, 200);
  });

  test('revoking a refresh token kills its access token and its refresh', async () => {
    const tokens = await desktopSignIn(portal, 'acme', 'anna@example.com');
    const revoked = await postForm(`${portal.url('acme')}/oauth/revoke`, { token: tokens.refresh_token });
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.body, {});
    assert.equal(await accessWorks('acme', tokens.access_token), false);
    assert.equal((await refresh(tokens.refresh_token)).body.error, 'invalid_grant');
  });

  test('revoking an unknown token answers 200 and changes nothing', async () => {
    const tokens = await desktopSignIn(portal, 'acme', 'anna@example.com');
    assert.equal((await postForm(`${portal.url('acme')}/oauth/revoke`, { token: 'unknown' })).status, 200);
    assert.ok(await accessWorks('acme', tokens.access_token));
  });
});

describe('tenancy', () => {
  test('an unknown portal host is a 404 page, never another portal', async () => {
    const page = await fetch(`http://nowhere.localhost:${portal.port}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /Bitrix24 not found/);
    const api = await postJson(
      `http://nowhere.localhost:${portal.port}/oauth/desktop/login`,
      loginBody('anna@example.com', 'multidesk-demo'),
    );
    assert.equal(api.status, 404);
    assert.equal(api.body.error, 'PORTAL_NOT_FOUND');
  });

  test('API routes on an unknown host answer JSON even to a browser-like Accept, in any case of the path (regression: issue 17, fuzzing)', async () => {
    for (const path of ['/qr/requests', '/qr/requests/poll', '/OAUTH/TOKEN', '/Rest/user.current']) {
      const response = await fetch(`http://nowhere.localhost:${portal.port}${path}`, {
        method: 'POST',
        headers: { accept: 'text/html,application/json', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 404, path);
      assert.equal((await response.json()).error, 'PORTAL_NOT_FOUND', path);
    }
  });

  test('a foreign host name is a 404', async () => {
    const response = await fetch(`http://127.0.0.1:${portal.port}/network/login`, { method: 'POST' });
    assert.equal(response.status, 404);
  });

  test('portal endpoints are not served on the network host, nor network ones on a portal', async () => {
    const desktop = await postJson(`${portal.url()}/oauth/desktop/login`, loginBody('anna@example.com', 'multidesk-demo'));
    assert.equal(desktop.status, 404);
    const network = await postJson(`${portal.url('acme')}/network/login`, { login: 'anna@example.com', password: 'multidesk-demo' });
    assert.equal(network.status, 404);
  });
});

describe('recovery codes', () => {
  test('a recovery code replaces the TOTP code once', async () => {
    const ben = await findUserByEmail(portal.db, 'ben@example.com');
    const codes = generateRecoveryCodes();
    await setTotp(portal.db, ben!.id, generateTotpSecret(), codes.map(hashSecret));
    const url = `${portal.url('acme')}/oauth/desktop/login`;
    const first = await postJson(url, { ...loginBody('ben@example.com', 'multidesk-demo'), otp: codes[3] });
    assert.equal(first.status, 200);
    const again = await postJson(url, { ...loginBody('ben@example.com', 'multidesk-demo'), otp: codes[3] });
    assert.equal(again.body.error, 'invalid_otp');
    await setTotp(portal.db, ben!.id, null, []);
  });
});
