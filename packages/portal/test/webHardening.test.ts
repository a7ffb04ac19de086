import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../src/app.ts';
import { generateTotpSecret, matchTotp, otpauthUri, totpCode, totpStep } from '../src/auth/totp.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { call, signInAs } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const PASSWORD = 'multidesk-demo';

/** What every answer carries, page or API. */
function assertCommonHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(headers.get('x-frame-options'), 'DENY', what);
  assert.equal(headers.get('cross-origin-resource-policy'), 'same-origin', what);
  assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
  assert.doesNotMatch(headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval|script-src/, what);
  assert.equal(headers.get('strict-transport-security'), null, `${what}: no HSTS over plain http`);
  assert.equal(headers.get('x-powered-by'), null, what);
}

/** Helmet's headers that matter only where a browser renders a page. */
const PAGE_ONLY_HEADERS = {
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': null,
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

function assertPageOnlyHeaders(headers: Headers, what: string): void {
  for (const [name, value] of Object.entries(PAGE_ONLY_HEADERS)) assert.equal(headers.get(name), value, `${what}: ${name}`);
}

/** A page: its CSP allows exactly the stylesheet it carries, and nothing else runs or loads. */
function assertPage(page: { status: number; headers: Headers; text: string }, what: string): void {
  assertCommonHeaders(page.headers, what);
  assertPageOnlyHeaders(page.headers, what);
  assertStyleAllowed(page, what);
  assert.doesNotMatch(page.text, /<script|\sstyle=|\son[a-z]+=/i, `${what}: nothing inline the CSP would block`);
  assert.equal(page.headers.get('cache-control'), 'no-store', what);
}

/** The page's CSP allows its one stylesheet, and nothing else. */
function assertStyleAllowed(page: { headers: Headers; text: string }, what: string): void {
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/, what);
  assert.match(csp, /form-action 'self'/, what);
  const style = /<style>([\s\S]*?)<\/style>/.exec(page.text)?.[1];
  assert.ok(style !== undefined, `${what} has its stylesheet`);
  const hash = createHash('sha256').update(style).digest('base64');
  assert.match(csp, new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`), `${what}: the CSP allows the stylesheet it serves`);
}

/** Every form of a page posts to its own origin (the CSP's form-action 'self'). */
function formActions(html: string): string[] {
  return [...html.matchAll(/<(?:form[^>]*\saction|button[^>]*\sformaction)="([^"]*)"/g)].map((m) => m[1] as string);
}

describe('helmet on the pages', () => {
  test('every page renders under its CSP, and its forms post to its own origin and work', async () => {
    const anna = new Browser(portal.url('acme'));
    const network = new Browser(portal.url());
    const pages = {
      'portal sign-in': await anna.get('/login'),
      'network sign-in': await network.get('/login'),
      'unknown QR request': await anna.get('/qr/abc'),
      'unknown app': await anna.get('/oauth/authorize/?client_id=app.unknown&response_type=code'),
    };
    // A page answered before any page route runs: an unknown host's.
    const lost = await new Browser(portal.url('nowhere')).get('/login');
    assert.equal(lost.status, 404);
    assertCommonHeaders(lost.headers, 'unknown host');
    assertPageOnlyHeaders(lost.headers, 'unknown host');
    assertStyleAllowed(lost, 'unknown host');
    for (const [what, page] of Object.entries(pages)) {
      assertPage(page, what);
      for (const action of formActions(page.text)) assert.match(action, /^\/[^/]/, `${what}: ${action} is on this origin`);
    }
    // The sign-in form posts (303) and the signed-in pages render, their CSRF-protected forms too.
    await anna.signIn('anna@example.com', PASSWORD);
    const home = await anna.get('/');
    const sessions = await anna.get('/sessions');
    for (const [what, page] of Object.entries({ home, sessions })) {
      assert.equal(page.status, 200, what);
      assertPage(page, what);
      assert.ok(formActions(page.text).length > 0, `${what} has forms`);
    }
    const out = await anna.post('/logout', { csrf: Browser.csrf(home.text) });
    assert.equal(out.status, 303);
    assertCommonHeaders(out.headers, 'sign-out');
    assertPageOnlyHeaders(out.headers, 'sign-out');
    // The second-factor step renders under the same CSP and takes otplib's codes.
    const chen = new Browser(portal.url('initech'));
    const secret = portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
    assert.equal((await chen.post('/login', { login: 'chen@example.com', password: PASSWORD })).location, '/login/code');
    const step = await chen.get('/login/code');
    assertPage(step, 'second-factor step');
    assert.deepEqual(formActions(step.text), ['/login/code']);
    const done = await chen.post('/login/code', { code: totpCode(secret, portal.clock.now()) });
    assert.equal(done.status, 303, done.text);
    assert.equal(done.location, '/');
  });
});

describe('helmet on the API', () => {
  test('REST, OAuth, Pull long polling and health answers carry the headers of a non-page, with a CSP that allows nothing', async () => {
    const token = (await signInAs(portal, 'acme', 'anna@example.com')).access_token;
    const acme = portal.url('acme');
    const answers = {
      'REST result': await fetch(`${acme}/rest/user.current?auth=${token}`),
      'REST error': await fetch(`${acme}/rest/user.current?auth=wrong`),
      'OAuth error': await fetch(`${acme}/oauth/token/`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) }),
      'long polling': await fetch(`${acme}/bitrix/sub/?CHANNEL_ID=forged`),
      health: await fetch(`${portal.url()}/healthz`),
      'not found': await fetch(`${acme}/no/such/route`),
    };
    for (const [what, response] of Object.entries(answers)) {
      await response.arrayBuffer();
      assertCommonHeaders(response.headers, what);
      assert.equal(
        response.headers.get('content-security-policy'),
        "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
        what,
      );
      for (const name of Object.keys(PAGE_ONLY_HEADERS)) assert.equal(response.headers.get(name), null, `${what}: no ${name}`);
    }
    assert.equal(answers['REST result'].status, 200);
    // Browser apps of other origins keep reading long polling through CORS.
    assert.equal(answers['long polling'].headers.get('access-control-allow-origin'), '*');
    const rest = await call(`${acme}/rest/user.current?auth=${token}`);
    assert.equal(rest.status, 200);
  });
});

describe('HSTS', () => {
  test('sent only to a client that came over https, as the trusted balancer says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-hsts-'));
    const db = await openDatabase(dir);
    await seedDemo(db, Date.now());
    const app = await buildApp({ db, trustProxy: ['10.0.0.2'] });
    try {
      const ask = (peer: string, proto?: string) =>
        app.inject({
          method: 'GET',
          url: '/login',
          remoteAddress: peer,
          headers: { host: 'acme.localhost', ...(proto ? { 'x-forwarded-proto': proto } : {}) },
        });
      assert.equal((await ask('10.0.0.2', 'https')).headers['strict-transport-security'], 'max-age=31536000');
      assert.equal((await ask('10.0.0.2', 'http')).headers['strict-transport-security'], undefined);
      assert.equal((await ask('10.0.0.2')).headers['strict-transport-security'], undefined);
      // Anyone else saying https is not believed.
      assert.equal((await ask('203.0.113.9', 'https')).headers['strict-transport-security'], undefined);
    } finally {
      await app.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TOTP through otplib', () => {
  test('the RFC 6238 codes, the Base32 secrets enrolled before, one step of drift, and each code once', () => {
    // RFC 6238 appendix B (SHA-1), six digits: the secret "12345678901234567890" as users stored it.
    const rfc = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(totpCode(rfc, 59_000), '287082');
    assert.equal(totpCode(rfc, 1_111_111_109_000), '081804');
    assert.equal(totpCode(rfc, 2_000_000_000_000), '279037');
    const now = 1_700_000_000_000;
    const code = totpCode(rfc, now);
    assert.equal(matchTotp(rfc, code, now, null), totpStep(now));
    assert.equal(matchTotp(rfc, code, now, totpStep(now)), null, 'a code works once');
    assert.equal(matchTotp(rfc, totpCode(rfc, now - 30_000), now, null), totpStep(now) - 1);
    assert.equal(matchTotp(rfc, totpCode(rfc, now + 30_000), now, null), totpStep(now) + 1);
    assert.equal(matchTotp(rfc, totpCode(rfc, now - 60_000), now, null), null, 'two steps old');
    assert.equal(matchTotp(rfc, 'abcdef', now, null), null);
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/, '20 bytes in Base32, as stored before');
    assert.equal(otpauthUri(rfc, 'chen@example.com'), `otpauth://totp/Multidesk:chen%40example.com?secret=${rfc}&issuer=Multidesk`);
  });
});
