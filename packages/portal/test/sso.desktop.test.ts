import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningIdp } from '@multidesk/idp';
import { DESKTOP_CLIENT_ID, SSO_DESKTOP_START_PATH } from '@multidesk/protocol';
import { loopbackRedirectUri } from '../src/auth/ssoDesktop.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { findUserByEmail } from '../src/store/users.ts';
import type { TestPortal } from './harness.ts';
import { pkcePair, postForm } from './signIn.ts';
import { SsoBrowser, ssoToCallback } from './ssoBrowser.ts';
import { startSsoPortal } from './ssoPortal.ts';
import { alertText, pageText } from './webPagesClient.ts';

const LOOPBACK = 'http://127.0.0.1:49152/callback';
const PASSWORD = 'multidesk-demo';

describe('single sign-on for the desktop (loopback redirect)', () => {
  let portal: TestPortal;
  let idp: RunningIdp;

  const startUrl = (portalName: string, params: Record<string, string>) =>
    `${portal.url(portalName)}${SSO_DESKTOP_START_PATH}?${new URLSearchParams(params)}`;
  const validParams = (challenge: string, overrides: Record<string, string> = {}) => ({
    client_id: DESKTOP_CLIENT_ID,
    redirect_uri: LOOPBACK,
    state: 'desktop-state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    device_name: 'Dora’s laptop',
    ...overrides,
  });

  before(async () => {
    ({ portal, idp } = await startSsoPortal());
  });
  after(async () => {
    await idp.close();
    await portal.close();
  });

  test('dora signs in through the browser; the desktop gets a PKCE-bound code and its state on its loopback, and tokens for it', async () => {
    const pkce = pkcePair();
    const browser = new SsoBrowser();
    const callback = await ssoToCallback(browser, startUrl('initech', validParams(pkce.challenge)), {
      login: 'dora@example.com',
      password: PASSWORD,
    });
    const answer = await browser.request(callback);
    assert.equal(answer.status, 303, answer.text);
    const back = new URL(answer.location as string);
    assert.equal(`${back.origin}${back.pathname}`, LOOPBACK);
    assert.equal(back.searchParams.get('state'), 'desktop-state-1');
    const code = back.searchParams.get('code') as string;
    assert.ok(code.length >= 43);
    assert.equal(browser.jar(portal.url('initech')).has('md_web'), false, 'the system browser is not signed in to the portal');

    const wrongVerifier = await postForm(`${portal.url('initech')}/oauth/token/`, {
      grant_type: 'authorization_code',
      client_id: DESKTOP_CLIENT_ID,
      code,
      code_verifier: pkcePair().verifier,
    });
    assert.equal(wrongVerifier.status, 400, 'the code is bound to the desktop challenge');

    // A code refused once is used up; sign in again for the real exchange.
    const second = new SsoBrowser();
    const again = await second.request(
      await ssoToCallback(second, startUrl('initech', validParams(pkce.challenge)), { login: 'dora@example.com', password: PASSWORD }),
    );
    const token = await postForm(`${portal.url('initech')}/oauth/token/`, {
      grant_type: 'authorization_code',
      client_id: DESKTOP_CLIENT_ID,
      code: new URL(again.location as string).searchParams.get('code') as string,
      code_verifier: pkce.verifier,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const dora = (await findUserByEmail(portal.db, 'dora@example.com'))!;
    const initech = (await findPortalByName(portal.db, 'initech'))!;
    const member = await portal.db
      .selectFrom('members')
      .selectAll()
      .where('user_id', '=', dora.id)
      .where('portal_id', '=', initech.id)
      .executeTakeFirstOrThrow();
    assert.equal(token.body.user_id, member.id);
    const family = await portal.db.selectFrom('token_families').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    assert.equal(family.device_name, 'Dora’s laptop');
  });

  test('failures after a valid start go back to the loopback with error and the desktop state', async () => {
    const pkce = pkcePair();
    const eve = new SsoBrowser();
    const noMember = await eve.request(
      await ssoToCallback(eve, startUrl('initech', validParams(pkce.challenge)), { login: 'eve@example.com', password: PASSWORD }),
    );
    const denied = new URL(noMember.location as string);
    assert.equal(`${denied.origin}${denied.pathname}`, LOOPBACK);
    assert.equal(denied.searchParams.get('error'), 'not_a_member');
    assert.equal(denied.searchParams.get('state'), 'desktop-state-1');
    assert.match(denied.searchParams.get('error_description') ?? '', /eve@example\.com is not a member of Initech/);

    const cancel = new SsoBrowser();
    const cancelled = new URL(
      (await cancel.request(await ssoToCallback(cancel, startUrl('initech', validParams(pkce.challenge)), 'cancel'))).location as string,
    );
    assert.equal(cancelled.searchParams.get('error'), 'access_denied');
    assert.equal(cancelled.searchParams.get('state'), 'desktop-state-1');

    const acme = await new SsoBrowser().request(startUrl('acme', validParams(pkce.challenge)));
    assert.equal(acme.status, 303);
    const notConfigured = new URL(acme.location as string);
    assert.equal(`${notConfigured.origin}${notConfigured.pathname}`, LOOPBACK);
    assert.equal(notConfigured.searchParams.get('error'), 'sso_not_configured');
    assert.equal(notConfigured.searchParams.get('state'), 'desktop-state-1');
  });

  test('a redirect_uri that is not the loopback /callback, or an unknown client, gets a page and never a redirect', async () => {
    const { challenge } = pkcePair();
    for (const redirect_uri of [
      'http://evil.example/callback',
      'http://localhost:49152/callback',
      'https://127.0.0.1:49152/callback',
      'http://127.0.0.1:49152/other',
      'http://127.0.0.1:49152/callback?x=1',
      'http://127.0.0.1:49152/callback#x',
      'http://127.1:49152/callback',
      'http://user@127.0.0.1:49152/callback',
      'http://127.0.0.2:49152/callback',
      '',
    ]) {
      const answer = await new SsoBrowser().request(startUrl('initech', validParams(challenge, { redirect_uri })));
      assert.equal(answer.status, 400, redirect_uri);
      assert.equal(answer.location, null, redirect_uri);
      assert.match(pageText(alertText(answer.text) ?? ''), /not its own loopback address/);
    }
    const unknown = await new SsoBrowser().request(startUrl('initech', validParams(challenge, { client_id: 'evil-app' })));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.location, null);
    assert.match(pageText(alertText(unknown.text) ?? ''), /application that started this sign-in is unknown/);
  });

  test('a bad challenge, method or state goes back to the loopback as invalid_request', async () => {
    const { challenge } = pkcePair();
    const cases: [Record<string, string>, RegExp, string | null][] = [
      [{ code_challenge: 'short' }, /code_challenge must be 43 base64url characters/, 'desktop-state-1'],
      [{ code_challenge: `${challenge.slice(0, 42)}=` }, /code_challenge/, 'desktop-state-1'],
      [{ code_challenge_method: 'plain' }, /code_challenge_method must be S256/, 'desktop-state-1'],
      [{ state: '' }, /state is required/, null],
    ];
    for (const [overrides, message, state] of cases) {
      const answer = await new SsoBrowser().request(startUrl('initech', validParams(challenge, overrides)));
      assert.equal(answer.status, 303, JSON.stringify(overrides));
      const back = new URL(answer.location as string);
      assert.equal(`${back.origin}${back.pathname}`, LOOPBACK);
      assert.equal(back.searchParams.get('error'), 'invalid_request');
      assert.match(back.searchParams.get('error_description') ?? '', message);
      assert.equal(back.searchParams.get('state'), state);
    }
  });

  test('loopback redirect URIs: 127.0.0.1 and [::1] at any port, path /callback, canonical form only', () => {
    assert.equal(loopbackRedirectUri('http://127.0.0.1:1/callback'), 'http://127.0.0.1:1/callback');
    assert.equal(loopbackRedirectUri('http://[::1]:65535/callback'), 'http://[::1]:65535/callback');
    assert.equal(loopbackRedirectUri('http://127.0.0.1/callback'), 'http://127.0.0.1/callback');
    for (const bad of [
      'http://[::1]/callback/',
      'http://0x7f.0.0.1:5/callback',
      'http://127.0.0.1:80/callback',
      'HTTP://127.0.0.1:5/callback',
      5,
      undefined,
    ]) {
      assert.equal(loopbackRedirectUri(bad), null, String(bad));
    }
  });
});
