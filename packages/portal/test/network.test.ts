import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { startTestPortal, type TestPortal } from './harness.ts';
import { pkcePair, postForm, postJson } from './signIn.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const networkLogin = (login: string, password = 'multidesk-demo') => postJson(`${portal.url()}/network/login`, { login, password });

const authorize = (session: string, portalUrl: string, challenge = pkcePair().challenge) =>
  postJson(`${portal.url()}/network/authorize`, {
    session,
    portal_url: portalUrl,
    client_id: DESKTOP_CLIENT_ID,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

describe('network login', () => {
  test("anna's login lists acme, globex and initech with her name and their addresses", async () => {
    const result = await networkLogin('anna@example.com');
    assert.equal(result.status, 200);
    assert.ok(result.body.session.length >= 40);
    assert.ok(result.body.expires_in > 0 && result.body.expires_in <= 600);
    assert.deepEqual(
      result.body.portals.map((p: { title: string; url: string; user_name: string }) => [p.title, p.url, p.user_name]),
      [
        ['Acme Corp', portal.url('acme'), 'Anna Smirnova'],
        ['Globex', portal.url('globex'), 'Anna Smirnova'],
        ['Initech', portal.url('initech'), 'Anna Smirnova'],
      ],
    );
  });

  test("ben's login lists his two portals only", async () => {
    const result = await networkLogin('ben@example.com');
    assert.deepEqual(
      result.body.portals.map((p: { title: string }) => p.title),
      ['Acme Corp', 'Globex'],
    );
  });

  test('a wrong password is 401 invalid_credentials, a 2FA account asks for its code', async () => {
    assert.equal((await networkLogin('anna@example.com', 'wrong-password')).body.error, 'invalid_credentials');
    assert.equal((await networkLogin('chen@example.com')).body.error, 'otp_required');
  });
});

describe('network authorize', () => {
  test('choosing a portal returns a code that the portal exchanges for tokens', async () => {
    const session = (await networkLogin('anna@example.com')).body.session;
    const pkce = pkcePair();
    const result = await authorize(session, `${portal.url('initech')}/`, pkce.challenge);
    assert.equal(result.status, 200);
    assert.equal(result.body.portal_url, portal.url('initech'));
    const tokens = await postForm(`${portal.url('initech')}/oauth/token/`, {
      grant_type: 'authorization_code',
      client_id: DESKTOP_CLIENT_ID,
      code: result.body.code,
      code_verifier: pkce.verifier,
    });
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.domain, `initech.localhost:${portal.port}`);
  });

  test('the portal address may be given without a scheme', async () => {
    const session = (await networkLogin('anna@example.com')).body.session;
    const result = await authorize(session, `globex.localhost:${portal.port}`);
    assert.equal(result.status, 200);
  });

  test('a portal the user is not a member of, or that does not exist, is 403 not_a_member', async () => {
    const session = (await networkLogin('ben@example.com')).body.session;
    assert.equal((await authorize(session, portal.url('initech'))).body.error, 'not_a_member');
    assert.equal((await authorize(session, `http://nowhere.localhost:${portal.port}`)).body.error, 'not_a_member');
    assert.equal((await authorize(session, 'http://evil.example.org')).status, 403);
  });

  test('a tampered or expired session is 401 invalid_session', async () => {
    const session = (await networkLogin('anna@example.com')).body.session as string;
    const tampered = `${session.slice(0, -2)}xx`;
    assert.equal((await authorize(tampered, portal.url('acme'))).body.error, 'invalid_session');
    portal.clock.advance(11 * 60_000);
    const expired = await authorize(session, portal.url('acme'));
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error, 'invalid_session');
  });
});

describe('network logout', () => {
  test('logging out ends the session: authorize then answers invalid_session', async () => {
    const session = (await networkLogin('anna@example.com')).body.session as string;
    assert.equal((await authorize(session, portal.url('acme'))).status, 200);
    const out = await postJson(`${portal.url()}/network/logout`, { session });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, {});
    const after = await authorize(session, portal.url('acme'));
    assert.equal(after.status, 401);
    assert.equal(after.body.error, 'invalid_session');
  });

  test("logging out leaves the same login's other sessions working", async () => {
    const first = (await networkLogin('anna@example.com')).body.session as string;
    const second = (await networkLogin('anna@example.com')).body.session as string;
    await postJson(`${portal.url()}/network/logout`, { session: first });
    assert.equal((await authorize(second, portal.url('acme'))).status, 200);
  });

  test('an unknown or already ended session also gets 200 {}, and a portal host does not serve logout', async () => {
    const unknown = await postJson(`${portal.url()}/network/logout`, { session: 'no-such-session' });
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, {});
    const session = (await networkLogin('ben@example.com')).body.session as string;
    assert.equal((await postJson(`${portal.url('acme')}/network/logout`, { session })).status, 404);
    assert.equal((await authorize(session, portal.url('acme'))).status, 200, 'the portal host ended nothing');
    assert.equal((await postJson(`${portal.url()}/network/logout`, {})).status, 400);
  });
});

describe('throttling', () => {
  test('repeated failures for one login are 429 with retry_after, even with the right password', async () => {
    const limited = await startTestPortal({ limits: { failuresPerLogin: 3, failuresPerIp: 100 } });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await postJson(`${limited.url()}/network/login`, { login: 'anna@example.com', password: `wrong-${i}` });
        assert.equal(r.status, 401);
      }
      const blocked = await postJson(`${limited.url()}/network/login`, { login: 'anna@example.com', password: 'multidesk-demo' });
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error, 'too_many_attempts');
      assert.ok(blocked.body.retry_after > 0);
      assert.equal(blocked.headers.get('retry-after'), String(blocked.body.retry_after));
      const other = await postJson(`${limited.url()}/network/login`, { login: 'ben@example.com', password: 'multidesk-demo' });
      assert.equal(other.status, 200);
      limited.clock.advance(16 * 60_000);
      const later = await postJson(`${limited.url()}/network/login`, { login: 'anna@example.com', password: 'multidesk-demo' });
      assert.equal(later.status, 200);
    } finally {
      await limited.close();
    }
  });

  test('repeated failures from one IP across logins are 429 on the portal endpoint too', async () => {
    const limited = await startTestPortal({ limits: { failuresPerLogin: 100, failuresPerIp: 4 } });
    try {
      for (let i = 0; i < 4; i++) {
        await postJson(`${limited.url()}/network/login`, { login: `user${i}@example.com`, password: 'wrong-password' });
      }
      const blocked = await postJson(`${limited.url('acme')}/oauth/desktop/login`, {
        login: 'anna@example.com',
        password: 'multidesk-demo',
        client_id: DESKTOP_CLIENT_ID,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        device_name: 'Test',
      });
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error, 'too_many_attempts');
    } finally {
      await limited.close();
    }
  });
});
