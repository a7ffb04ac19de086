import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STYLE_SOURCE } from '../src/http/pages/layout.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { createQr, decide, PASSWORD, poll, signedInBrowser, storedStatus } from './qrClient.ts';
import { alertText, Browser, pageText } from './webPagesClient.ts';

/** No script; the pages' one stylesheet by its hash. */
const CSP = `default-src 'none';style-src ${STYLE_SOURCE};img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none'`;

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

describe('the QR approval page', () => {
  test('shows the requesting device, system, app version, IP and time, with Approve and Deny in a CSRF-protected form', async () => {
    const qr = await createQr(portal, 'acme', { device_name: 'Anna’s ThinkPad', device_os: 'Windows 11', app_version: '1.2.3' });
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    const page = await phone.get(`/qr/${qr.id}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), CSP);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const text = pageText(page.text);
    assert.match(text, /A Multidesk app asks to sign in to Acme Corp as Anna Smirnova/);
    assert.match(text, /Device Anna’s ThinkPad/);
    assert.match(text, /System Windows 11/);
    assert.match(text, /App version 1\.2\.3/);
    assert.match(text, /IP address 127\.0\.0\.1/);
    const created = new Date(
      (await portal.db.selectFrom('qr_requests').select('created_at').where('id', '=', qr.id).executeTakeFirstOrThrow()).created_at,
    );
    assert.match(text, new RegExp(`Requested at ${created.toISOString().slice(11, 19)} UTC`));
    assert.match(text, /Expires at \d\d:\d\d:\d\d UTC/);
    assert.match(text, /Only approve if you are signing in to Multidesk on that device right now\./);
    assert.match(page.text, /<button type="submit">Approve<\/button>/);
    assert.match(page.text, /<button type="submit" class="secondary" formaction="\/qr\/[\w-]+\/deny">Deny<\/button>/);
    assert.equal(Browser.csrf(page.text).length > 20, true);
    assert.doesNotMatch(page.text, /<script/i);
    assert.ok(!page.text.includes(qr.poll_token), 'the poll token never reaches the page');
  });

  test('shows a device name with markup as text', async () => {
    const qr = await createQr(portal, undefined, {
      device_name: '<script>alert(1)</script>',
      device_os: '<b>OS</b>',
      app_version: '"><i>',
    });
    const page = await (await signedInBrowser(portal, undefined, 'anna@example.com')).get(`/qr/${qr.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script|<b>OS|"><i>/);
    assert.match(pageText(page.text), /Device <script>alert\(1\)<\/script> System <b>OS<\/b> App version "><i>/);
  });

  test('without a web session it sends the browser to sign in, and back to the QR page afterwards', async () => {
    const qr = await createQr(portal, 'acme');
    const phone = new Browser(portal.url('acme'));
    const first = await phone.get(`/qr/${qr.id}`);
    assert.equal(first.status, 303);
    assert.equal(first.location, `/login?next=/qr/${qr.id}`);
    await phone.signIn('anna@example.com', PASSWORD, { next: `/qr/${qr.id}`, expectLocation: `/qr/${qr.id}` });
    assert.equal((await phone.get(`/qr/${qr.id}`)).status, 200);
  });

  test('a web session signed in more than 30 minutes ago must enter the password again before approving', async () => {
    const phone = await signedInBrowser(portal, 'globex', 'ben@example.com');
    const oldCsrf = Browser.csrf((await phone.get('/')).text);
    portal.clock.advance(31 * 60_000);
    const qr = await createQr(portal, 'globex');
    const page = await phone.get(`/qr/${qr.id}`);
    assert.equal(page.status, 303);
    assert.equal(page.location, `/login?next=/qr/${qr.id}`);
    const refused = await phone.post(`/qr/${qr.id}/approve`, { csrf: oldCsrf });
    assert.equal(refused.location, `/login?next=/qr/${qr.id}`);
    assert.equal(await storedStatus(portal, qr.id), 'pending');

    const signIn = await phone.get(`/login?next=/qr/${qr.id}`);
    assert.equal(signIn.status, 200, 'the sign-in page asks again instead of waving the old session through');
    assert.match(signIn.text, /value="ben@example\.com"/);
    assert.match(pageText(signIn.text), /Enter your password again to continue\./);
    await phone.signIn('ben@example.com', PASSWORD, { next: `/qr/${qr.id}`, expectLocation: `/qr/${qr.id}` });
    const approved = await decide(phone, qr.id, 'approve');
    assert.equal(approved.status, 200);
    assert.equal(await storedStatus(portal, qr.id), 'approved');
  });

  test('approving twice, or denying after approving, says it was already approved and changes nothing', async () => {
    const qr = await createQr(portal, 'acme');
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    const csrf = Browser.csrf((await phone.get(`/qr/${qr.id}`)).text);
    assert.equal((await phone.post(`/qr/${qr.id}/approve`, { csrf })).status, 200);
    const decidedAt = (await portal.db.selectFrom('qr_requests').selectAll().where('id', '=', qr.id).executeTakeFirstOrThrow()).decided_at;
    portal.clock.advance(1_000);
    for (const decision of ['approve', 'deny']) {
      const again = await phone.post(`/qr/${qr.id}/${decision}`, { csrf });
      assert.equal(again.status, 409);
      assert.equal(alertText(again.text), 'This request was already approved. Nothing was changed.');
    }
    const row = await portal.db.selectFrom('qr_requests').selectAll().where('id', '=', qr.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'approved');
    assert.equal(row.decided_at, decidedAt);
    assert.equal((await phone.get(`/qr/${qr.id}`)).status, 409, 'the page no longer offers the buttons');
  });

  test('approving an expired request shows that it expired and leaves it undecided', async () => {
    const qr = await createQr(portal, 'acme');
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    const csrf = Browser.csrf((await phone.get(`/qr/${qr.id}`)).text);
    portal.clock.advance(61_000);
    const late = await phone.post(`/qr/${qr.id}/approve`, { csrf });
    assert.equal(late.status, 410);
    assert.equal(alertText(late.text), 'This QR code has expired. Show a new one in Multidesk and scan it again.');
    assert.equal(await storedStatus(portal, qr.id), 'pending');
    assert.deepEqual((await poll(qr)).body, { status: 'expired' });
  });

  test('a post without the CSRF token, or with a wrong one, gets a 403 page and the request stays pending', async () => {
    const qr = await createQr(portal, 'acme');
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    const csrf = Browser.csrf((await phone.get(`/qr/${qr.id}`)).text);
    const forms: Record<string, string>[] = [{}, { csrf: '' }, { csrf: `${csrf}x` }, { csrf: csrf.slice(0, -1) }];
    for (const form of forms) {
      const refused = await phone.post(`/qr/${qr.id}/approve`, form);
      assert.equal(refused.status, 403);
      assert.match(refused.text, /Request refused/);
    }
    assert.equal((await phone.post(`/qr/${qr.id}/deny`, {})).status, 403);
    assert.equal(await storedStatus(portal, qr.id), 'pending');
    assert.equal((await poll(qr)).body.status, 'pending');
  });

  test('a post from another origin is refused even with the right CSRF token', async () => {
    const qr = await createQr(portal, 'acme');
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    const csrf = Browser.csrf((await phone.get(`/qr/${qr.id}`)).text);
    assert.equal((await phone.post(`/qr/${qr.id}/approve`, { csrf }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await phone.post(`/qr/${qr.id}/approve`, { csrf }, { origin: portal.url('globex') })).status, 403);
    assert.equal((await phone.post(`/qr/${qr.id}/approve`, { csrf }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal(await storedStatus(portal, qr.id), 'pending');
  });

  test('a non-member cannot approve on a portal host, not even with a session of another portal', async () => {
    const qr = await createQr(portal, 'initech');
    const ben = new Browser(portal.url('initech'));
    const refused = await ben.post('/login', { login: 'ben@example.com', password: PASSWORD, next: `/qr/${qr.id}` });
    assert.equal(refused.status, 403);
    assert.equal((await ben.get(`/qr/${qr.id}`)).status, 303);

    const acme = await signedInBrowser(portal, 'acme', 'ben@example.com');
    const csrf = Browser.csrf((await acme.get('/')).text);
    ben.cookies.set('md_web', acme.cookies.get('md_web') as string);
    assert.equal((await ben.get(`/qr/${qr.id}`)).location, `/login?next=/qr/${qr.id}`);
    assert.equal((await ben.post(`/qr/${qr.id}/approve`, { csrf })).location, `/login?next=/qr/${qr.id}`);
    assert.equal(await storedStatus(portal, qr.id), 'pending');
  });

  test("a request made on acme cannot be approved on globex's host", async () => {
    const qr = await createQr(portal, 'acme');
    const globex = await signedInBrowser(portal, 'globex', 'anna@example.com');
    const page = await globex.get(`/qr/${qr.id}`);
    assert.equal(page.status, 404);
    assert.match(pageText(page.text), /QR code not found/);
    const csrf = Browser.csrf((await globex.get('/')).text);
    assert.equal((await globex.post(`/qr/${qr.id}/approve`, { csrf })).status, 404);
    assert.equal(await storedStatus(portal, qr.id), 'pending');
    assert.equal((await decide(await signedInBrowser(portal, 'acme', 'anna@example.com'), qr.id, 'approve')).status, 200);
  });

  test('unknown and malformed ids get a 404 page', async () => {
    const phone = await signedInBrowser(portal, 'acme', 'anna@example.com');
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'x', '%3Cscript%3E', 'a'.repeat(80)]) {
      const page = await phone.get(`/qr/${id}`);
      assert.equal(page.status, 404, id);
      assert.equal(page.headers.get('content-security-policy'), CSP);
      assert.doesNotMatch(page.text, /<script/);
    }
    const csrf = Browser.csrf((await phone.get('/')).text);
    assert.equal((await phone.post('/qr/AAAAAAAAAAAAAAAAAAAAAA/approve', { csrf })).status, 404);
  });
});
