import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type RunningIdp, startIdp } from '../packages/idp/src/idp.ts';
import { setSsoChecked } from '../packages/portal/src/admin/sso.ts';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { SCREENSHOTS } from './desktopApp.ts';

/**
 * The web sign-in through the demo identity provider in a real Chromium: the portal's button, the
 * provider's form, the redirects and cookies between the two sites (SameSite, CSP) as a browser
 * applies them.
 */
describe('single sign-on in Chromium', () => {
  let portal: TestPortal;
  let idp: RunningIdp;
  let browser: Browser;

  before(async () => {
    portal = await startTestPortal();
    idp = await startIdp({ port: 0 });
    await setSsoChecked(
      portal.db,
      { portal: 'initech', issuer: idp.issuer, clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, domain: 'example.com' },
      portal.clock.now(),
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
    await portal?.close();
  });

  test('dora presses Log in with single sign-on, signs in at the identity provider and is signed in to Initech', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.url('initech')}/login?next=%2Fsessions`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'sso-portal-sign-in.png') });
    await page.getByRole('button', { name: 'Log in with single sign-on' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.getByRole('textbox', { name: 'Login' }).fill('dora@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill('multidesk-demo');
    await page.screenshot({ path: join(SCREENSHOTS, 'sso-idp-sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${portal.url('initech')}/sessions`);
    await page.goto(`${portal.url('initech')}/`);
    assert.match((await page.locator('main').textContent()) ?? '', /Signed in as Dora Klein \(dora@example\.com\)/);
    await context.close();
  });

  test('Cancel at the identity provider ends on a clear page at the portal', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.url('initech')}/login`);
    await page.getByRole('button', { name: 'Log in with single sign-on' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.origin === portal.url('initech') && url.pathname === '/sso/callback');
    assert.match((await page.getByRole('alert').textContent()) ?? '', /The identity provider did not sign you in \(access_denied/);
    await context.close();
  });
});
