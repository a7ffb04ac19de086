import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { desktopCodeExchange, desktopRefresh, exchangeCode, issueCode, refreshTokens } from '../src/auth/oauthTokens.ts';
import { hashPassword } from '../src/auth/password.ts';
import { pkceChallenge } from '../src/auth/pkce.ts';
import { hashSecret, randomToken } from '../src/auth/secrets.ts';
import { isRecentlyAuthenticated, sessionRowId } from '../src/auth/webSession.ts';
import { addMember, findMembership } from '../src/store/members.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { createUser, findUserByEmail } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { accessCheck } from './tokens.ts';
import { alertText, Browser, pageText } from './webPagesClient.ts';

const PASSWORD = 'multidesk-demo';

/** Signs a desktop in as the user, the way the OAuth routes do: a PKCE-bound code, then tokens. */
async function signInDesktop(portal: TestPortal, portalName: string, email: string, deviceName: string) {
  const site = await findPortalByName(portal.db, portalName);
  const user = await findUserByEmail(portal.db, email);
  assert.ok(site && user);
  const member = await findMembership(portal.db, site.id, user.id);
  assert.ok(member);
  const verifier = randomToken();
  const { code } = await issueCode(portal.app.ctx, {
    portalId: site.id,
    memberId: member.id,
    clientId: DESKTOP_CLIENT_ID,
    codeChallenge: pkceChallenge(verifier),
    deviceName,
  });
  const exchanged = await exchangeCode(
    portal.app.ctx,
    desktopCodeExchange(site, portal.url(portalName), { clientId: DESKTOP_CLIENT_ID, code, codeVerifier: verifier }),
    { ip: '203.0.113.7', userAgent: 'Multidesk/0.1 (Linux)' },
  );
  assert.ok(exchanged.ok);
  return { site, tokens: exchanged.tokens };
}

/** The hidden `id` of the revoke form in the list item that mentions `marker`. */
function revokeIdNear(html: string, marker: string): string {
  const item = html.split('<li>').find((chunk) => chunk.includes(marker));
  const match = item && /name="id" value="([^"]+)"/.exec(item);
  assert.ok(match, `a revoke form next to ${marker}`);
  return match[1] as string;
}

describe('signed-in pages', () => {
  let portal: TestPortal;
  before(async () => {
    portal = await startTestPortal();
  });
  after(() => portal.close());

  test('signing out needs the CSRF token and a same-origin post, then ends the session', async () => {
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('anna@example.com', PASSWORD);
    const home = await browser.get('/');
    const csrf = Browser.csrf(home.text);
    const cookie = browser.cookies.get('md_web') as string;

    assert.equal((await browser.post('/logout', {})).status, 403);
    assert.equal((await browser.post('/logout', { csrf: `${csrf}x` })).status, 403);
    assert.equal((await browser.post('/logout', { csrf: csrf.slice(0, -1) })).status, 403);
    assert.equal((await browser.post('/logout', { csrf }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await browser.post('/logout', { csrf }, { origin: portal.url('globex') })).status, 403);
    assert.equal((await browser.get('/')).status, 200, 'still signed in after refused sign-outs');

    const out = await browser.post('/logout', { csrf });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/login');
    assert.equal(browser.cookies.has('md_web'), false, 'the cookie is cleared');
    browser.cookies.set('md_web', cookie);
    assert.equal((await browser.get('/')).location, '/login', 'the old cookie no longer works');
  });

  test('the sessions page lists this browser, another browser and a desktop app, without secrets', async () => {
    const laptop = new Browser(portal.url('globex'));
    await laptop.signIn('ben@example.com', PASSWORD);
    const phone = new Browser(
      portal.url('globex'),
      'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36',
    );
    await phone.signIn('ben@example.com', PASSWORD);
    const { tokens } = await signInDesktop(portal, 'globex', 'ben@example.com', 'Ben’s ThinkPad');

    const page = await laptop.get('/sessions');
    assert.equal(page.status, 200);
    const text = pageText(page.text);
    assert.match(text, /Where you're signed in/);
    assert.match(text, /Chrome on Linux This browser/);
    assert.match(text, /Chrome on Android/);
    assert.doesNotMatch(text, /Chrome on Android This browser/);
    assert.match(text, /Desktop apps Ben’s ThinkPad IP 203\.0\.113\.7 · last used just now · signed in just now/);
    assert.equal((page.text.match(/>Revoke<\/button>/g) ?? []).length, 3);

    const secrets = [laptop.cookies.get('md_web'), phone.cookies.get('md_web'), tokens.access_token, tokens.refresh_token] as string[];
    for (const secret of secrets) {
      assert.ok(!page.text.includes(secret), 'no cookie or token value in the page');
      assert.ok(!page.text.includes(hashSecret(secret)), 'no stored hash in the page');
    }
  });

  test('revoking a desktop app makes its tokens stop working at once', async () => {
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('anna@example.com', PASSWORD);
    const { site, tokens } = await signInDesktop(portal, 'acme', 'anna@example.com', 'Anna’s desktop');
    assert.ok((await accessCheck(portal, site, tokens.access_token)).ok);

    const page = await browser.get('/sessions');
    const done = await browser.post('/sessions/revoke', {
      csrf: Browser.csrf(page.text),
      kind: 'device',
      id: revokeIdNear(page.text, 'Anna’s desktop'),
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/sessions?revoked=device');

    assert.equal((await accessCheck(portal, site, tokens.access_token)).ok, false);
    const refreshed = await refreshTokens(
      portal.app.ctx,
      desktopRefresh(site, portal.url('acme'), { clientId: DESKTOP_CLIENT_ID, refreshToken: tokens.refresh_token }),
    );
    assert.equal(refreshed.ok, false);
    const after = await browser.get('/sessions?revoked=device');
    assert.doesNotMatch(after.text, /Anna’s desktop/);
    assert.match(pageText(after.text), /That desktop app is signed out/);
  });

  test('revoking another browser signs it out; revoking this one signs out here', async () => {
    const laptop = new Browser(portal.url('acme'));
    await laptop.signIn('anna@example.com', PASSWORD);
    const phone = new Browser(
      portal.url('acme'),
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1',
    );
    await phone.signIn('anna@example.com', PASSWORD);

    const page = await laptop.get('/sessions');
    const phoneRow = revokeIdNear(page.text, 'Safari on iPhone');
    const done = await laptop.post('/sessions/revoke', { csrf: Browser.csrf(page.text), kind: 'web', id: phoneRow });
    assert.equal(done.location, '/sessions?revoked=web');
    assert.equal((await phone.get('/')).location, '/login');
    assert.equal((await laptop.get('/')).status, 200);

    const again = await laptop.get('/sessions');
    const self = await laptop.post('/sessions/revoke', {
      csrf: Browser.csrf(again.text),
      kind: 'web',
      id: sessionRowId(hashSecret(laptop.cookies.get('md_web') as string)),
    });
    assert.equal(self.location, '/login');
    assert.equal((await laptop.get('/')).location, '/login');
  });

  test('revoking needs the CSRF token', async () => {
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('anna@example.com', PASSWORD);
    const { site, tokens } = await signInDesktop(portal, 'acme', 'anna@example.com', 'CSRF target');
    const page = await browser.get('/sessions');
    const id = revokeIdNear(page.text, 'CSRF target');
    assert.equal((await browser.post('/sessions/revoke', { kind: 'device', id })).status, 403);
    assert.equal((await browser.post('/sessions/revoke', { csrf: 'guess', kind: 'device', id })).status, 403);
    assert.ok((await accessCheck(portal, site, tokens.access_token)).ok);
  });

  test('an unknown or repeated revoked= in the address shows the page without a notice, never a 500', async () => {
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('anna@example.com', PASSWORD);
    for (const query of ['revoked=constructor', 'revoked=toString', 'revoked=__proto__', 'revoked=web&revoked=device', 'revoked[]=web']) {
      const page = await browser.get(`/sessions?${query}`);
      assert.equal(page.status, 200, query);
      assert.doesNotMatch(page.text, /class="notice"/, query);
    }
  });

  test("one user cannot revoke another user's browser or desktop app", async () => {
    const anna = new Browser(portal.url('acme'));
    await anna.signIn('anna@example.com', PASSWORD);
    const { site, tokens } = await signInDesktop(portal, 'acme', 'anna@example.com', 'Anna’s other desktop');
    const annaPage = await anna.get('/sessions');
    const annaBrowserRow = sessionRowId(hashSecret(anna.cookies.get('md_web') as string));
    const annaDeviceId = revokeIdNear(annaPage.text, 'Anna’s other desktop');

    const ben = new Browser(portal.url('acme'));
    await ben.signIn('ben@example.com', PASSWORD);
    const csrf = Browser.csrf((await ben.get('/sessions')).text);
    const web = await ben.post('/sessions/revoke', { csrf, kind: 'web', id: annaBrowserRow });
    assert.equal(web.status, 404);
    const device = await ben.post('/sessions/revoke', { csrf, kind: 'device', id: annaDeviceId });
    assert.equal(device.status, 404);
    assert.equal(alertText(device.text), 'That sign-in was not found; it may have ended already.');

    assert.equal((await anna.get('/')).status, 200);
    assert.ok((await accessCheck(portal, site, tokens.access_token)).ok);
    const bad = await ben.post('/sessions/revoke', { csrf, kind: 'device', id: '1 OR 1=1' });
    assert.equal(bad.status, 404);
    const long = await ben.post('/sessions/revoke', { csrf, kind: 'web', id: 'x'.repeat(500) });
    assert.equal(long.status, 400);
  });

  test('names and device names are escaped in every page', async () => {
    const site = await findPortalByName(portal.db, 'acme');
    const user = await createUser(portal.db, {
      email: 'mallory@example.com',
      password_hash: await hashPassword(PASSWORD),
      name: '<script>alert(1)</script>',
      last_name: '"><img src=x>',
      totp_secret: null,
      totp_last_step: null,
      created_at: portal.clock.now(),
    });
    await addMember(portal.db, site?.id as number, user.id, 'user', portal.clock.now());
    const browser = new Browser(portal.url('acme'), '<b>evil agent</b>');
    await browser.signIn('mallory@example.com', PASSWORD);
    await signInDesktop(portal, 'acme', 'mallory@example.com', '<img src=x onerror=alert(2)>');

    for (const path of ['/', '/sessions']) {
      const page = await browser.get(path);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /<script>|<img|<b>evil/, path);
      assert.match(page.text, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/, path);
    }
    const sessions = await browser.get('/sessions');
    assert.match(sessions.text, /&#60;img src=x onerror=alert\(2\)&#62;/);
    assert.match(
      pageText((await browser.get('/')).text),
      /Signed in as <script>alert\(1\)<\/script> "><img src=x> \(mallory@example\.com\)/,
    );
  });

  test('a session stops working once it expires, and a removed membership ends it on that portal', async () => {
    const browser = new Browser(portal.url('globex'));
    await browser.signIn('ben@example.com', PASSWORD);
    const site = await findPortalByName(portal.db, 'globex');
    const ben = await findUserByEmail(portal.db, 'ben@example.com');
    await portal.db
      .updateTable('members')
      .set({ active: 0 })
      .where('portal_id', '=', site?.id as number)
      .where('user_id', '=', ben?.id as number)
      .execute();
    assert.equal((await browser.get('/')).location, '/login');
    await portal.db
      .updateTable('members')
      .set({ active: 1 })
      .where('portal_id', '=', site?.id as number)
      .where('user_id', '=', ben?.id as number)
      .execute();
    assert.equal((await browser.get('/')).status, 200);

    portal.clock.advance(portal.app.ctx.limits.webSessionTtlMs + 1000);
    assert.equal((await browser.get('/')).location, '/login');
  });
});

test('isRecentlyAuthenticated: within 30 minutes of entering the password, not after', () => {
  const now = 1_800_000_000_000;
  assert.equal(isRecentlyAuthenticated({ authenticated_at: now - 29 * 60_000 }, now), true);
  assert.equal(isRecentlyAuthenticated({ authenticated_at: now - 31 * 60_000 }, now), false);
  assert.equal(isRecentlyAuthenticated({ authenticated_at: now - 5 * 60_000 }, now, 60_000), false);
});
