import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../packages/portal/test/appClient.ts';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { oauthClient } from '../packages/portal/test/sdkClient.ts';
import { signInAs } from '../packages/portal/test/tokens.ts';
import { type DesktopApp, freePort, launchDesktop, SCREENSHOTS, waitFor } from './desktopApp.ts';
import { SystemBrowser } from './systemBrowser.ts';

/**
 * "Connect with a Bitrix24 app" in the real desktop: the app's keys on the sign-in page, the
 * portal's authorization in a real second Chromium (the system browser), the answer on the
 * profile's fixed loopback port, tokens from the token server the answer names.
 */
let portal: TestPortal;
let app: DesktopApp;
let bitrixApp: TestApp;
let system: SystemBrowser;
let redirectPort = 0;
const work = mkdtempSync(join(tmpdir(), 'multidesk-e2e-app-'));
const profileDir = join(work, 'profile');

before(async () => {
  portal = await startTestPortal();
  redirectPort = await freePort();
  bitrixApp = await createTestApp(portal, 'globex', `http://127.0.0.1:${redirectPort}/callback`);
  system = new SystemBrowser(work, await freePort());
  app = await launchDesktop(profileDir, ['--sso-browser', system.writeLauncher(), '--oauth-redirect-port', String(redirectPort)]);
});
after(async () => {
  await system?.close();
  await app?.quit();
  await portal?.close();
  rmSync(work, { recursive: true, force: true });
});

const panel = (page: Page) => page.getByRole('tabpanel');

async function fillAppForm(page: Page, secret: string): Promise<void> {
  const form = panel(page);
  const field = form.getByRole('textbox', { name: 'Client ID' });
  if (!(await field.isVisible())) await form.getByRole('button', { name: 'Connect with a Bitrix24 app' }).click();
  await form.getByRole('textbox', { name: 'Bitrix24 address' }).fill(`globex.localhost:${portal.port}`);
  await field.fill(bitrixApp.clientId);
  await form.getByLabel('Client secret').fill(secret);
  await form.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** The system browser's window at the portal's sign-in page. */
async function browserAtSignIn(): Promise<Page> {
  const browser = await system.connect();
  const page = await waitFor('the portal sign-in in the system browser', async () =>
    browser
      .contexts()
      .flatMap((c) => c.pages())
      .find((p) => p.url().startsWith(portal.url('globex'))),
  );
  await page.getByRole('textbox', { name: 'Login' }).waitFor();
  return page;
}

describe('desktop: Connect with a Bitrix24 app', () => {
  test('the form shows the handler URL to register, and refuses keys that cannot be right', async () => {
    const page = app.workspace;
    await panel(page).getByRole('button', { name: 'Connect with a Bitrix24 app' }).click();
    await panel(page).getByText(`http://127.0.0.1:${redirectPort}/callback`).waitFor();
    await panel(page).getByRole('textbox', { name: 'Bitrix24 address' }).fill(`globex.localhost:${portal.port}`);
    await panel(page).getByRole('textbox', { name: 'Client ID' }).fill('not a client id');
    await panel(page).getByLabel('Client secret').fill('x');
    await panel(page).getByRole('button', { name: 'Connect', exact: true }).click();
    await panel(page)
      .getByRole('alert')
      .filter({ hasText: /client ID is the app’s code/ })
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-form.png') });
  });

  test('anna authorizes the app in the browser; the Globex tab opens, polls im.v2.Event, and ben’s message arrives', async () => {
    const page = app.workspace;
    await fillAppForm(page, bitrixApp.clientSecret);
    await panel(page).getByText('Continue in your browser…').waitFor();
    const opened = system.lastOpened();
    assert.equal(opened.pathname, '/oauth/authorize/');
    assert.equal(opened.searchParams.get('client_id'), bitrixApp.clientId);
    assert.equal(opened.href.includes(bitrixApp.clientSecret), false, 'the secret never reaches the browser');

    const browser = await browserAtSignIn();
    await browser.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await browser.getByRole('textbox', { name: 'Password' }).fill('multidesk-demo');
    await browser.getByRole('button', { name: 'Log in' }).click();
    await browser.getByRole('heading', { name: `You are signed in to globex.localhost:${portal.port}` }).waitFor();
    await browser.screenshot({ path: join(SCREENSHOTS, 'app-browser-done.png') });

    await page.getByRole('tab', { name: new RegExp(`^globex\\.localhost:${portal.port}`) }).waitFor({ timeout: 15_000 });
    await panel(page)
      .getByText(/does not offer live updates to this app/)
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'app-account.png') });
    assert.equal(readFileSync(join(profileDir, 'accounts.json'), 'utf8').includes(bitrixApp.clientSecret), false);
    assert.equal(app.output().includes(bitrixApp.clientSecret), false);

    const messenger = app.messenger;
    const sdk = oauthClient(await signInAs(portal, 'globex', 'ben@example.com'));
    const anna = await signInAs(portal, 'globex', 'anna@example.com');
    const sent = await sdk.actions.v2.call.make({
      method: 'im.message.add',
      params: { DIALOG_ID: anna.user_id, MESSAGE: 'Polled to the app' },
    });
    assert.ok(sent.isSuccess, sent.getErrorMessages().join('; '));
    // Anna and ben had no dialog on Globex: the polled message brings it into the list.
    const ben = messenger.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Ben Carter(,|$)/ });
    await ben.click({ timeout: 20_000 });
    await messenger.getByRole('region', { name: 'Ben Carter' }).getByText('Polled to the app').waitFor({ timeout: 20_000 });
    await messenger.screenshot({ path: join(SCREENSHOTS, 'app-messenger.png') });
  });
});
