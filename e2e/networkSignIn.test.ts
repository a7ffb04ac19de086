import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import jsQRModule from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS } from './desktopApp.ts';

let portal: TestPortal;
let app: DesktopApp;
let phone: BrowserContext;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-network-'));

before(async () => {
  portal = await startTestPortal();
  app = await launchDesktop(profileDir);
  phone = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
});
after(async () => {
  await phone?.close().catch(() => {});
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

// jsqr is CommonJS whose typings declare an ES default export; at run time the import is the function.
const jsQR = jsQRModule as unknown as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

/** The sign-in panel of the selected New tab. */
const panel = (page: Page) => page.getByRole('tabpanel');

async function newSignInTab(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add Bitrix24' }).click();
  await panel(page).getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
}

async function networkSignIn(page: Page, login: string): Promise<void> {
  const form = panel(page);
  await form.getByRole('textbox', { name: 'Network' }).fill(`localhost:${portal.port}`);
  await form.getByRole('textbox', { name: 'Login' }).fill(login);
  await form.getByLabel('Password', { exact: true }).fill('multidesk-demo');
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
}

const radioNames = async (page: Page) => {
  const radios = panel(page).getByRole('radio');
  await radios.first().waitFor();
  return Promise.all(
    (await radios.all()).map(
      async (r) =>
        (await r.getAttribute('aria-label')) ?? (await r.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent ?? '')),
    ),
  );
};

/** Reads the QR code on the page the way a phone camera would: from pixels. */
async function scanQr(page: Page): Promise<string> {
  const image = panel(page).getByRole('img', { name: 'QR code' });
  await image.waitFor();
  const png = PNG.sync.read(await image.screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code decodes');
  return decoded.data;
}

/** The phone: a second browser context, 390x844, signed in to the network's web page as anna. */
async function phonePage(): Promise<Page> {
  const page = await phone.newPage();
  await page.goto(`${portal.url()}/login`);
  if (await page.getByRole('textbox', { name: 'Login' }).isVisible()) {
    await page.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await page.getByLabel('Password', { exact: true }).fill('multidesk-demo');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
  return page;
}

describe('desktop: sign in using login and password, and QR code', () => {
  test("anna's network login lists her three Bitrix24s and Open signs in to Initech without a second password", async () => {
    const page = app.workspace;
    await panel(page).getByRole('button', { name: 'Sign in using login and password' }).click();
    await networkSignIn(page, 'anna@example.com');
    const names = await radioNames(page);
    assert.deepEqual(
      names.map((n) => n.trim().split(/\s{2,}|\n/)[0]),
      ['Acme Corp', 'Globex', 'Initech'],
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-network-list.png') });
    const signInsBefore = portal.requests.filter((r) => r.path === '/oauth/desktop/login').length;
    await panel(page).getByRole('radio', { name: 'Initech' }).check();
    await panel(page).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('tab', { name: /^Initech/ }).waitFor();
    assert.equal(portal.requests.filter((r) => r.path === '/oauth/desktop/login').length, signInsBefore, 'no password sign-in');
  });

  test('Change user ends that network sign-in and ben’s login lists his two', async () => {
    const page = app.workspace;
    await newSignInTab(page);
    await panel(page).getByRole('button', { name: 'Sign in using login and password' }).click();
    await networkSignIn(page, 'anna@example.com');
    await panel(page).getByRole('radio', { name: 'Acme Corp' }).waitFor();
    await panel(page).getByRole('button', { name: 'Change user' }).click();
    await networkSignIn(page, 'ben@example.com');
    await panel(page).getByRole('radio', { name: 'Acme Corp' }).waitFor();
    assert.equal(await panel(page).getByRole('radio').count(), 2);
    assert.equal(await page.getByRole('tab', { name: /^Initech/ }).count(), 1, 'connected accounts are untouched');
  });

  test('a phone signed in as anna approves the QR code and the desktop continues to her list', async () => {
    const page = app.workspace;
    await newSignInTab(page);
    await panel(page).getByRole('button', { name: 'Log in with QR code' }).click();
    const url = await scanQr(page);
    assert.match(url, new RegExp(`^${portal.url()}/qr/[\\w-]+$`));
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-qr.png') });
    const approver = await phonePage();
    await approver.goto(url);
    await approver.getByRole('button', { name: 'Approve' }).waitFor();
    assert.match((await approver.locator('body').textContent()) ?? '', /Multidesk on/);
    await approver.screenshot({ path: join(SCREENSHOTS, 'phone-qr-approval.png') });
    await approver.getByRole('button', { name: 'Approve' }).click();
    await panel(page).getByRole('radio', { name: 'Globex' }).waitFor({ timeout: 20_000 });
    await panel(page).getByRole('radio', { name: 'Globex' }).check();
    await panel(page).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('tab', { name: /^Globex/ }).waitFor();

    // Another client, with the id from the QR but without the desktop's poll token, gets nothing.
    const id = url.split('/qr/')[1];
    const thief = await fetch(`${portal.url()}/qr/requests/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, poll_token: 'x'.repeat(43), wait: 0 }),
    });
    assert.equal(thief.status, 404);
    await approver.close();
  });

  test('Deny on the phone is shown on the desktop', async () => {
    const page = app.workspace;
    await newSignInTab(page);
    await panel(page).getByRole('button', { name: 'Log in with QR code' }).click();
    const url = await scanQr(page);
    const approver = await phonePage();
    await approver.goto(url);
    await approver.getByRole('button', { name: 'Deny' }).click();
    await panel(page)
      .getByText(/denied/i)
      .first()
      .waitFor({ timeout: 20_000 });
    await approver.close();
  });

  test('an expired QR code is replaced by a new one by itself', async () => {
    const page = app.workspace;
    await panel(page)
      .getByRole('button', { name: /Get a new QR code/ })
      .click();
    const first = await scanQr(page);
    portal.clock.advance(61_000);
    let next = first;
    const deadline = Date.now() + 25_000;
    while (next === first && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      next = await scanQr(page).catch(() => first);
    }
    assert.notEqual(next, first, 'a new QR code replaced the expired one');
    const approver = await phonePage();
    const oldPage = await approver.goto(first);
    assert.equal(oldPage?.status(), 410, 'the old code no longer works');
    await approver.close();
  });
});
