import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type IdpAccount, type RunningIdp, startIdp } from '@multidesk/idp';
import { setSsoChecked } from '../src/admin/sso.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { findUserByEmail } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { SsoBrowser, ssoToCallback } from './ssoBrowser.ts';
import { alertText, Browser, pageText } from './webPagesClient.ts';

const PASSWORD = 'multidesk-demo';
/** The page's alert as text (entities decoded). */
const alertOf = (html: string) => pageText(alertText(html) ?? '');
const person = (sub: string, email: string, emailVerified = true): IdpAccount => ({
  sub,
  email,
  emailVerified,
  givenName: email.split('@')[0] as string,
  familyName: 'Tester',
  password: PASSWORD,
});
const ACCOUNTS: IdpAccount[] = [
  ...DEMO_ACCOUNTS,
  person('idp-eve', 'eve@example.com'),
  person('idp-newbie', 'newbie@example.com'),
  person('idp-mallory', 'mallory@elsewhere.test'),
  person('idp-unverified', 'unverified@example.com', false),
  // Claims anna's address, but is another account at the provider than the one linked to anna.
  { ...person('idp-anna-impostor', 'anna@example.com'), login: 'anna-impostor' },
];

describe('single sign-on in the browser', () => {
  let portal: TestPortal;
  let idp: RunningIdp;
  let initechId: number;

  const configure = (options: { jit?: boolean; domain?: string } = {}) =>
    setSsoChecked(
      portal.db,
      {
        portal: 'initech',
        issuer: idp.issuer,
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        domain: 'example.com',
        ...options,
      },
      portal.clock.now(),
    );

  const counts = async () => ({
    sessions: (await portal.db.selectFrom('web_sessions').select('id_hash').where('portal_id', '=', initechId).execute()).length,
    identities: (await portal.db.selectFrom('sso_identities').select('id').execute()).length,
    users: (await portal.db.selectFrom('users').select('id').execute()).length,
    members: (await portal.db.selectFrom('members').select('id').execute()).length,
  });

  /** The identity provider's answer, opened at the portal: the end of a browser's SSO sign-in. */
  async function ssoSignIn(login: string, next = '/') {
    const browser = new SsoBrowser();
    const callback = await ssoToCallback(browser, `${portal.url('initech')}/sso/start?next=${encodeURIComponent(next)}`, {
      login,
      password: PASSWORD,
    });
    return { browser, callback, answer: await browser.request(callback) };
  }

  before(async () => {
    portal = await startTestPortal();
    idp = await startIdp({ port: 0, accounts: ACCOUNTS });
    initechId = (await findPortalByName(portal.db, 'initech'))?.id as number;
  });
  after(async () => {
    await idp.close();
    await portal.close();
  });
  beforeEach(async () => {
    await configure();
  });

  test('the sign-in page offers "Log in with single sign-on" only where it is set up, carrying next', async () => {
    const acme = await new Browser(portal.url('acme')).get('/login');
    assert.doesNotMatch(acme.text, /single sign-on/);
    const initech = await new Browser(portal.url('initech')).get('/login?next=%2Fsessions');
    assert.match(
      initech.text,
      /<a class="button secondary" role="button" href="\/sso\/start\?next=%2Fsessions">Log in with single sign-on<\/a>/,
    );
    const network = await new Browser(portal.url()).get('/login');
    assert.doesNotMatch(network.text, /single sign-on/);
  });

  test('dora signs in to initech through the identity provider and lands on next with a web session', async () => {
    const before = await counts();
    const { browser, answer } = await ssoSignIn('dora@example.com', '/sessions');
    assert.equal(answer.status, 303, answer.text);
    assert.equal(answer.location, `${portal.url('initech')}/sessions`);
    const home = await browser.request(`${portal.url('initech')}/`);
    assert.match(pageText(home.text), /Signed in as Dora Klein \(dora@example\.com\)/);
    assert.deepEqual(await counts(), { ...before, sessions: before.sessions + 1, identities: before.identities + 1 });
    assert.equal(browser.jar(portal.url('initech')).has('md_sso'), false, 'the flow cookie is gone');
  });

  test("dora's portal password is unusable: only single sign-on lets her in", async () => {
    const answer = await new Browser(portal.url('initech')).post('/login', { login: 'dora@example.com', password: PASSWORD });
    assert.equal(answer.status, 401);
  });

  test("anna's membership is linked by verified e-mail the first time, by subject after", async () => {
    const anna = (await findUserByEmail(portal.db, 'anna@example.com'))!;
    const first = await ssoSignIn('anna@example.com');
    assert.equal(first.answer.status, 303, first.answer.text);
    const link = await portal.db.selectFrom('sso_identities').selectAll().where('subject', '=', 'idp-anna-0001').executeTakeFirstOrThrow();
    assert.equal(link.issuer, idp.issuer);
    const member = await portal.db.selectFrom('members').selectAll().where('id', '=', link.member_id).executeTakeFirstOrThrow();
    assert.deepEqual([member.user_id, member.portal_id], [anna.id, initechId]);

    // The portal login changes; the link by subject still finds her.
    await portal.db.updateTable('users').set({ email: 'anna.smirnova@example.com' }).where('id', '=', anna.id).execute();
    try {
      const second = await ssoSignIn('anna@example.com');
      assert.equal(second.answer.status, 303, second.answer.text);
      const home = await second.browser.request(`${portal.url('initech')}/`);
      assert.match(pageText(home.text), /\(anna\.smirnova@example\.com\)/);
    } finally {
      await portal.db.updateTable('users').set({ email: 'anna@example.com' }).where('id', '=', anna.id).execute();
    }
  });

  test('another account at the provider with the e-mail of a member linked there already gets no access', async () => {
    await ssoSignIn('anna@example.com');
    const before = await counts();
    const { answer } = await ssoSignIn('anna-impostor');
    assert.equal(answer.status, 403);
    assert.match(alertOf(answer.text), /The member anna@example\.com is linked to another account at this identity provider\./);
    assert.deepEqual(await counts(), before);
  });

  test('an identity provider user who is no member, without just-in-time creation, gets a no-access page and nothing is stored', async () => {
    const before = await counts();
    const { browser, answer } = await ssoSignIn('eve@example.com');
    assert.equal(answer.status, 403);
    assert.match(alertOf(answer.text), /eve@example\.com is not a member of Initech\. Ask an administrator of Initech for access\./);
    assert.deepEqual(await counts(), before);
    assert.equal(browser.jar(portal.url('initech')).has('md_web'), false);
  });

  test('with --jit a verified address of the domain becomes a user and member; others still get no access', async () => {
    await configure({ jit: true });
    const before = await counts();
    const { browser, answer } = await ssoSignIn('newbie@example.com');
    assert.equal(answer.status, 303, answer.text);
    const user = (await findUserByEmail(portal.db, 'newbie@example.com'))!;
    assert.equal(user.name, 'newbie');
    assert.equal(user.last_name, 'Tester');
    assert.match(user.password_hash, /^\$argon2id\$/, 'a real hash of a password nobody knows');
    const member = await portal.db.selectFrom('members').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual([member.portal_id, member.role, member.active], [initechId, 'user', 1]);
    assert.deepEqual(await counts(), {
      sessions: before.sessions + 1,
      identities: before.identities + 1,
      users: before.users + 1,
      members: before.members + 1,
    });
    const home = await browser.request(`${portal.url('initech')}/`);
    assert.match(pageText(home.text), /\(newbie@example\.com\)/);

    const after = await counts();
    const foreign = await ssoSignIn('mallory@elsewhere.test');
    assert.equal(foreign.answer.status, 403);
    assert.match(alertOf(foreign.answer.text), /mallory@elsewhere\.test is not an address of example\.com/);
    const unverified = await ssoSignIn('unverified@example.com');
    assert.equal(unverified.answer.status, 403);
    assert.match(alertOf(unverified.answer.text), /did not confirm an e-mail address/);
    assert.deepEqual(await counts(), after);
  });

  test('a deactivated member gets no access, linked or not', async () => {
    await ssoSignIn('dora@example.com');
    const dora = (await findUserByEmail(portal.db, 'dora@example.com'))!;
    await portal.db.updateTable('members').set({ active: 0 }).where('user_id', '=', dora.id).where('portal_id', '=', initechId).execute();
    try {
      const { answer } = await ssoSignIn('dora@example.com');
      assert.equal(answer.status, 403);
      assert.match(alertOf(answer.text), /no longer active on Initech/);
    } finally {
      await portal.db.updateTable('members').set({ active: 1 }).where('user_id', '=', dora.id).execute();
    }
  });

  test('a callback with another state than this browser started is refused, and nothing is stored', async () => {
    const browser = new SsoBrowser();
    const callback = new URL(
      await ssoToCallback(browser, `${portal.url('initech')}/sso/start`, { login: 'dora@example.com', password: PASSWORD }),
    );
    const before = await counts();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state');
    const answer = await browser.request(forged.href);
    assert.equal(answer.status, 400);
    assert.match(alertOf(answer.text), /unknown, has expired, was used already or was started in another browser/);
    // Another browser (no flow cookie) opening the real callback: refused too (login CSRF).
    const elsewhere = await new SsoBrowser().request(callback.href);
    assert.equal(elsewhere.status, 400);
    assert.deepEqual(await counts(), before);
  });

  test('a callback used once is refused the second time, even with the flow cookie put back', async () => {
    const browser = new SsoBrowser();
    const callback = await ssoToCallback(browser, `${portal.url('initech')}/sso/start`, { login: 'dora@example.com', password: PASSWORD });
    const cookie = browser.jar(portal.url('initech')).get('md_sso') as string;
    assert.equal((await browser.request(callback)).status, 303);
    const before = await counts();
    browser.jar(portal.url('initech')).set('md_sso', cookie);
    const again = await browser.request(callback);
    assert.equal(again.status, 400);
    assert.match(alertOf(again.text), /was used already/);
    assert.deepEqual(await counts(), before);
  });

  test('an ID token whose nonce is not the one sent is refused as unverifiable, and nothing is stored', async () => {
    const browser = new SsoBrowser();
    const callback = await ssoToCallback(browser, `${portal.url('initech')}/sso/start`, { login: 'dora@example.com', password: PASSWORD });
    await portal.db.updateTable('sso_states').set({ nonce: 'tampered-nonce' }).where('portal_id', '=', initechId).execute();
    const before = await counts();
    const answer = await browser.request(callback);
    assert.equal(answer.status, 502);
    assert.equal(alertOf(answer.text), "The identity provider's answer could not be verified.");
    assert.deepEqual(await counts(), before);
  });

  test('an error answer of the identity provider (the user pressed Cancel) is shown as such', async () => {
    const browser = new SsoBrowser();
    const callback = await ssoToCallback(browser, `${portal.url('initech')}/sso/start`, 'cancel');
    assert.equal(new URL(callback).searchParams.get('error'), 'access_denied');
    const before = await counts();
    const answer = await browser.request(callback);
    assert.equal(answer.status, 403);
    assert.equal(alertOf(answer.text), 'The identity provider did not sign you in (access_denied: The user cancelled the sign-in.).');
    assert.deepEqual(await counts(), before);
  });

  test('start: a portal without SSO, the network host and an unreachable provider each get a clear page', async () => {
    const acme = await new SsoBrowser().request(`${portal.url('acme')}/sso/start`);
    assert.equal(acme.status, 404);
    assert.match(alertOf(acme.text), /Single sign-on is not set up for Acme Corp/);
    const network = await new SsoBrowser().request(`${portal.url()}/sso/start`);
    assert.equal(network.status, 404);
    await setSsoChecked(
      portal.db,
      { portal: 'initech', issuer: 'http://localhost:9', clientId: 'x', clientSecret: 'y' },
      portal.clock.now(),
    );
    const down = await new SsoBrowser().request(`${portal.url('initech')}/sso/start`);
    assert.equal(down.status, 502);
    assert.equal(alertOf(down.text), 'The identity provider could not be reached.');
  });

  test('next is kept safe: an absolute or protocol-relative next lands on /', async () => {
    const { answer } = await ssoSignIn('dora@example.com', '//evil.example/x');
    assert.equal(answer.location, `${portal.url('initech')}/`);
  });
});
