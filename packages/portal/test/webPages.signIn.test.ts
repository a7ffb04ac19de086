import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { generateRecoveryCodes } from '../src/auth/recoveryCodes.ts';
import { hashSecret } from '../src/auth/secrets.ts';
import { totpCode } from '../src/auth/totp.ts';
import { cookieName, cookieOptions } from '../src/auth/webSession.ts';
import { safeNext } from '../src/http/pages/forms.ts';
import { STYLE_SOURCE } from '../src/http/pages/layout.ts';
import { findUserByEmail, setTotp } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { alertText, Browser, pageText } from './webPagesClient.ts';

const PASSWORD = 'multidesk-demo';
/** No script; the pages' one stylesheet by its hash. */
const CSP = `default-src 'none';style-src ${STYLE_SOURCE};img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none'`;

describe('web sign-in', () => {
  let portal: TestPortal;
  before(async () => {
    portal = await startTestPortal();
  });
  after(() => portal.close());

  const chenSecret = () => portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;

  test('the sign-in page has labelled Login and Password boxes, a Log in button and the security headers', async () => {
    const page = await new Browser(portal.url('acme')).get('/login');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="login">Login<\/label>\s*<input id="login" name="login"[^>]*autocomplete="username"[^>]*autofocus/);
    assert.match(
      page.text,
      /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"[^>]*autocomplete="current-password"/,
    );
    assert.match(page.text, /<button type="submit">Log in<\/button>/);
    assert.equal(page.headers.get('content-security-policy'), CSP);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(page.text, /<script/i);
  });

  test('signing in sets an HttpOnly, SameSite=Lax, Path=/ cookie whose value is stored only as a hash', async () => {
    const browser = new Browser(portal.url('acme'));
    const done = await browser.signIn('Anna@Example.com', PASSWORD, { next: '/sessions', expectLocation: '/sessions' });
    const line = done.setCookies.find((c) => c.startsWith('md_web='));
    assert.ok(line, 'a session cookie is set');
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.match(line, /; Path=\//);
    assert.doesNotMatch(line, /; Secure/, 'no Secure flag over plain http');
    const id = browser.cookies.get('md_web') as string;
    assert.ok(id.length >= 43);
    const rows = await portal.db.selectFrom('web_sessions').selectAll().execute();
    assert.ok(rows.some((r) => r.id_hash === hashSecret(id)));
    assert.ok(!rows.some((r) => Object.values(r).includes(id)), 'the raw cookie is stored nowhere');

    const home = await browser.get('/');
    assert.equal(home.status, 200);
    assert.match(pageText(home.text), /Signed in as Anna Smirnova \(anna@example\.com\)/);
    assert.match(home.text, /<a href="\/sessions">Where you're signed in<\/a>/);
    assert.match(home.text, /<button type="submit" class="secondary">Sign out<\/button>/);
  });

  test('over https the cookie is Secure and __Host- prefixed', () => {
    const https = { protocol: 'https' } as FastifyRequest;
    assert.equal(cookieOptions(https, 60).secure, true);
    assert.equal(cookieName(https, 'md_web'), '__Host-md_web');
    assert.equal(cookieOptions({ protocol: 'http' } as FastifyRequest, 60).secure, false);
  });

  test('without a session the home page sends the browser to sign in, and back afterwards', async () => {
    const browser = new Browser(portal.url('acme'));
    assert.equal((await browser.get('/')).location, '/login');
    const sessions = await browser.get('/sessions');
    assert.equal(sessions.status, 303);
    assert.equal(sessions.location, '/login?next=%2Fsessions');
    const login = await browser.get('/login?next=%2Fsessions');
    assert.match(login.text, /name="next" value="\/sessions"/);
  });

  test('a wrong password and an unknown login get the same inline error', async () => {
    const browser = new Browser(portal.url('acme'));
    const wrong = await browser.post('/login', { login: 'ben@example.com', password: 'not-the-password' });
    const unknown = await browser.post('/login', { login: 'nobody@example.com', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(alertText(wrong.text), 'Wrong login or password.');
    assert.equal(alertText(unknown.text), alertText(wrong.text));
    assert.match(wrong.text, /value="ben@example\.com"/, 'the login is kept');
    assert.doesNotMatch(wrong.text, /not-the-password/, 'the password is never echoed');
    assert.equal(browser.cookies.size, 0);
  });

  test('a non-member of the portal is refused with a clear message', async () => {
    const browser = new Browser(portal.url('initech'));
    const page = await browser.post('/login', { login: 'ben@example.com', password: PASSWORD });
    assert.equal(page.status, 403);
    assert.equal(alertText(page.text), 'You are not a member of this Bitrix24.');
    assert.equal(browser.cookies.has('md_web'), false);
  });

  test('the network host signs in any account, and its session is not valid on a portal', async () => {
    const network = new Browser(portal.url());
    await network.signIn('ben@example.com', PASSWORD);
    const row = await portal.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('id_hash', '=', hashSecret(network.cookies.get('md_web') as string))
      .executeTakeFirstOrThrow();
    assert.equal(row.portal_id, null);
    assert.equal(row.kind, 'web');
    assert.match(pageText((await network.get('/')).text), /Signed in as Ben Carter \(ben@example\.com\)/);

    const acme = new Browser(portal.url('acme'));
    acme.cookies.set('md_web', network.cookies.get('md_web') as string);
    assert.equal((await acme.get('/')).location, '/login');
  });

  test('a second factor is asked for, a code works once, and recovery codes work once', async () => {
    const chen = new Browser(portal.url('initech'));
    const first = await chen.post('/login', { login: 'chen@example.com', password: PASSWORD });
    assert.equal(first.status, 303);
    assert.equal(first.location, '/login/code');
    assert.equal(chen.cookies.has('md_web'), false, 'no session before the code');
    const step = await chen.get('/login/code');
    assert.match(step.text, /<label for="code">Code<\/label>\s*<input id="code" name="code"[^>]*autocomplete="one-time-code"/);
    assert.match(step.text, /<button type="submit">Verify<\/button>/);
    assert.doesNotMatch(step.text, new RegExp(PASSWORD), 'the password is not carried in the page');

    const wrong = await chen.post('/login/code', { code: '000000' === totpCode(chenSecret(), portal.clock.now()) ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(alertText(wrong.text), 'The code is wrong or was used already.');

    const code = totpCode(chenSecret(), portal.clock.now());
    const ok = await chen.post('/login/code', { code });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/');
    assert.equal((await chen.get('/')).status, 200);

    const replay = new Browser(portal.url('initech'));
    await replay.post('/login', { login: 'chen@example.com', password: PASSWORD });
    const reused = await replay.post('/login/code', { code });
    assert.equal(reused.status, 401);
    assert.equal(alertText(reused.text), 'The code is wrong or was used already.');

    const user = await findUserByEmail(portal.db, 'chen@example.com');
    const [recovery = ''] = generateRecoveryCodes(2);
    await setTotp(portal.db, user?.id as number, chenSecret(), [hashSecret(recovery)]);
    const withRecovery = new Browser(portal.url('initech'));
    await withRecovery.signIn('chen@example.com', PASSWORD, { code: () => recovery.toUpperCase() });
    const again = new Browser(portal.url('initech'));
    await again.post('/login', { login: 'chen@example.com', password: PASSWORD });
    assert.equal((await again.post('/login/code', { code: recovery })).status, 401);
  });

  test('the code step needs a pending sign-in of this browser', async () => {
    const stranger = new Browser(portal.url('initech'));
    assert.equal((await stranger.get('/login/code')).location, '/login');
    const post = await stranger.post('/login/code', { code: totpCode(chenSecret(), portal.clock.now()) });
    assert.equal(post.status, 400);
    assert.equal(alertText(post.text), 'Your sign-in has expired. Log in again.');
    stranger.cookies.set('md_login', 'made-up');
    assert.equal((await stranger.get('/login/code')).location, '/login');
  });

  test('a pending code step expires after five minutes', async () => {
    const chen = new Browser(portal.url('initech'));
    await chen.post('/login', { login: 'chen@example.com', password: PASSWORD });
    portal.clock.advance(5 * 60_000 + 1000);
    const late = await chen.post('/login/code', { code: totpCode(chenSecret(), portal.clock.now()) });
    assert.equal(late.status, 400);
    assert.equal(chen.cookies.has('md_web'), false);
  });

  test('redirects after sign-in stay on this site', async () => {
    for (const next of [
      '//evil.example/',
      '///evil.example',
      '/\\evil.example',
      'http://evil.example/',
      'https:evil.example',
      'javascript:alert(1)',
      ' /sessions',
      '/\t/evil.example',
      '/login?next=/login',
      // Regression (issue 17, D3): dot segments that normalise to a protocol-relative path.
      '/.//evil.example',
      '/..//evil.example',
      '/%2e//evil.example',
      '/a/..//evil.example',
      '/./%2e/..//evil.example',
    ]) {
      assert.equal(safeNext(next), '/', next);
      const browser = new Browser(portal.url('acme'));
      await browser.signIn('anna@example.com', PASSWORD, { next, expectLocation: '/' });
      assert.match((await browser.get(`/login?next=${encodeURIComponent(next)}`)).location ?? '', /^\/$/);
    }
    assert.equal(safeNext('/sessions?tab=1#x'), '/sessions?tab=1#x');
    const browser = new Browser(portal.url('acme'));
    await browser.signIn('anna@example.com', PASSWORD, { next: '/sessions?tab=1', expectLocation: '/sessions?tab=1' });
  });

  test('missing, malformed and overlong fields show the form again, never a 500', async () => {
    const browser = new Browser(portal.url('acme'));
    const empty = await browser.post('/login', {});
    assert.equal(empty.status, 400);
    assert.equal(alertText(empty.text), 'Enter your login.');
    const noPassword = await browser.post('/login', { login: 'anna@example.com' });
    assert.equal(alertText(noPassword.text), 'Enter your password.');
    const long = await browser.post('/login', { login: `${'a'.repeat(300)}@example.com`, password: PASSWORD });
    assert.equal(long.status, 400);
    assert.match(alertText(long.text) ?? '', /too long/);
    const longPassword = await browser.post('/login', { login: 'anna@example.com', password: 'x'.repeat(300) });
    assert.equal(longPassword.status, 400);
    const array = await browser.post('/login', { 'login[]': ['a', 'b'], password: PASSWORD });
    assert.equal(array.status, 400);
    assert.match(array.headers.get('content-type') ?? '', /text\/html/);
    const nested = await browser.post('/login', { 'login[x]': 'a', password: PASSWORD });
    assert.equal(nested.status, 400);
    const huge = await browser.post('/login', { login: 'anna@example.com', password: PASSWORD, pad: 'x'.repeat(40_000) });
    assert.equal(huge.status, 413);
    assert.match(huge.headers.get('content-type') ?? '', /text\/html/);
    const text = await browser.request('POST', '/login', 'login=a', { 'content-type': 'text/plain', origin: browser.origin });
    assert.ok(text.status >= 400 && text.status < 500, String(text.status));
    assert.equal(browser.cookies.size, 0);
  });

  test('a sign-in form posted from another origin is refused', async () => {
    const browser = new Browser(portal.url('acme'));
    const page = await browser.post('/login', { login: 'anna@example.com', password: PASSWORD }, { origin: portal.url('globex') });
    assert.equal(page.status, 403);
    assert.equal(browser.cookies.size, 0);
    const crossSite = await browser.post('/login', { login: 'anna@example.com', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
  });
});

test('repeated failures are throttled with a 429 page that says when to try again', async () => {
  const portal = await startTestPortal({ limits: { failuresPerLogin: 3 } });
  try {
    const browser = new Browser(portal.url('acme'));
    for (let i = 0; i < 3; i++)
      assert.equal((await browser.post('/login', { login: 'anna@example.com', password: 'wrong-password' })).status, 401);
    const page = await browser.post('/login', { login: 'anna@example.com', password: PASSWORD });
    assert.equal(page.status, 429);
    assert.match(alertText(page.text) ?? '', /^Too many failed attempts\. Try again in \d+ seconds\.$/);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.equal(browser.cookies.size, 0);
    portal.clock.advance(16 * 60_000);
    await browser.signIn('anna@example.com', PASSWORD);
  } finally {
    await portal.close();
  }
});
