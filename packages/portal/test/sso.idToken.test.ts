import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setSsoChecked } from '../src/admin/sso.ts';
import { type Claims, type FakeIdp, startFakeIdp } from './fakeIdp.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { SsoBrowser } from './ssoBrowser.ts';
import { alertText, pageText } from './webPagesClient.ts';

const UNVERIFIED = "The identity provider's answer could not be verified.";

describe('single sign-on: the ID token is checked', () => {
  let portal: TestPortal;
  let idp: FakeIdp;

  const configure = (issuer = idp.issuer) =>
    setSsoChecked(portal.db, { portal: 'initech', issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }, portal.clock.now());

  const stored = async () => ({
    sessions: (await portal.db.selectFrom('web_sessions').select('id_hash').execute()).length,
    identities: (await portal.db.selectFrom('sso_identities').select('id').execute()).length,
  });

  /** Start, the provider's immediate answer, and the callback: what the browser finally gets. */
  async function signIn(): Promise<{ status: number; alert: string; location: string | null }> {
    const browser = new SsoBrowser();
    const start = await browser.request(`${portal.url('initech')}/sso/start`);
    assert.equal(start.status, 303, start.text);
    // Up to the portal's answer to the callback, not beyond.
    const answer = await browser.follow(start.location as string, (url) => new URL(url).pathname !== '/sso/callback');
    return { status: answer.status, alert: pageText(alertText(answer.text) ?? ''), location: answer.location };
  }

  before(async () => {
    portal = await startTestPortal();
    idp = await startFakeIdp({ sub: 'fake-dora', email: 'dora@example.com' });
  });
  after(async () => {
    await idp.close();
    await portal.close();
  });
  beforeEach(async () => {
    idp.tamper = (claims) => claims;
    idp.signWith = null;
    await configure();
  });

  test('an untampered answer signs dora in', async () => {
    const answer = await signIn();
    assert.equal(answer.status, 303, answer.alert);
    assert.equal(answer.location, `${portal.url('initech')}/`);
  });

  const refusals: [string, (claims: Claims) => Claims][] = [
    ['from another issuer', (c) => ({ ...c, iss: 'http://localhost:1' })],
    ['for another audience', (c) => ({ ...c, aud: 'someone-else' })],
    ['expired', (c) => ({ ...c, iat: (c.iat as number) - 7200, exp: (c.iat as number) - 3600 })],
    ['not valid before an hour from now', (c) => ({ ...c, nbf: (c.iat as number) + 3600 })],
    ['with another nonce', (c) => ({ ...c, nonce: 'replayed' })],
    ['without a nonce', ({ nonce: _nonce, ...c }) => c],
  ];
  /** The sign-in ends on the "could not be verified" page, and no session or SSO link appears. */
  const refusedAndNothingStored = async () => {
    const before = await stored();
    const answer = await signIn();
    assert.equal(answer.status, 502);
    assert.equal(answer.alert, UNVERIFIED);
    assert.deepEqual(await stored(), before);
  };
  for (const [name, tamper] of refusals) {
    test(`an ID token ${name} is refused, and nothing is stored`, async () => {
      idp.tamper = tamper;
      await refusedAndNothingStored();
    });
  }

  test('an ID token signed with a key the provider does not publish is refused', async () => {
    idp.signWith = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await refusedAndNothingStored();
  });

  test('tokens are judged by the portal clock: an hour ahead, a fresh ID token has expired', async () => {
    portal.clock.advance(3_600_000);
    try {
      const answer = await signIn();
      assert.equal(answer.status, 502);
      assert.equal(answer.alert, UNVERIFIED);
    } finally {
      portal.clock.advance(-3_600_000);
    }
  });

  test('settings changed between start and answer make the answer void', async () => {
    const browser = new SsoBrowser();
    const start = await browser.request(`${portal.url('initech')}/sso/start`);
    const atIdp = await browser.request(start.location as string);
    await configure(`${idp.issuer}/`);
    const answer = await browser.request(atIdp.location as string);
    assert.equal(answer.status, 400);
    assert.match(pageText(alertText(answer.text) ?? ''), /settings of this Bitrix24 changed during your sign-in/);
  });

  test('discovery is cached per portal: two sign-ins ask for the metadata once, new settings ask again', async () => {
    // A fresh portal, so no earlier test warmed the cache.
    const fresh = await startTestPortal();
    try {
      await setSsoChecked(
        fresh.db,
        { portal: 'initech', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
        fresh.clock.now(),
      );
      const discovery = () => idp.hits.get('/.well-known/openid-configuration') ?? 0;
      const jwks = () => idp.hits.get('/jwks') ?? 0;
      const before = { discovery: discovery(), jwks: jwks() };
      for (let i = 0; i < 2; i++) {
        const browser = new SsoBrowser();
        const start = await browser.request(`${fresh.url('initech')}/sso/start`);
        const answer = await browser.follow(start.location as string, (url) => new URL(url).pathname !== '/sso/callback');
        assert.equal(answer.status, 303);
      }
      assert.equal(discovery() - before.discovery, 1);
      assert.equal(jwks() - before.jwks, 1, 'the signing keys are cached too');
      await setSsoChecked(
        fresh.db,
        { portal: 'initech', issuer: idp.issuer, clientId: idp.clientId, clientSecret: 'rotated' },
        fresh.clock.now(),
      );
      await new SsoBrowser().request(`${fresh.url('initech')}/sso/start`);
      assert.equal(discovery() - before.discovery, 2);
    } finally {
      await fresh.close();
    }
  });

  test('one address may start 30 sign-ins a minute; the next gets 429 with Retry-After', async () => {
    const fresh = await startTestPortal();
    try {
      await setSsoChecked(
        fresh.db,
        { portal: 'initech', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
        fresh.clock.now(),
      );
      for (let i = 0; i < 30; i++) assert.equal((await new SsoBrowser().request(`${fresh.url('initech')}/sso/start`)).status, 303);
      const refused = await fetch(`${fresh.url('initech')}/sso/start`, { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal((await fresh.db.selectFrom('sso_states').select('state_hash').execute()).length, 30);
    } finally {
      await fresh.close();
    }
  });
});
