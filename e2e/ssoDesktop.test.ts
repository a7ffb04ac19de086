import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningIdp } from '../packages/idp/src/idp.ts';
import type { TestPortal } from '../packages/portal/test/harness.ts';
import { desktopSignIn } from '../packages/portal/test/signIn.ts';
import { startSsoPortal } from '../packages/portal/test/ssoPortal.ts';
import { type DesktopApp, freePort, launchDesktop, SCREENSHOTS, waitFor } from './desktopApp.ts';
import { SystemBrowser } from './systemBrowser.ts';

/**
 * "Log in with single sign-on" in the real desktop: the core opens a real browser window (its
 * `--sso-browser` is a launcher for Chromium with its own profile and a DevTools port), Playwright
 * drives that window at the identity provider, and the answer reaches the core on its loopback.
 */
const PASSWORD = 'multidesk-demo';

let portal: TestPortal;
let idp: RunningIdp;
let app: DesktopApp;
let sso: SystemBrowser;
const work = mkdtempSync(join(tmpdir(), 'multidesk-e2e-sso-'));
const profileDir = join(work, 'profile');
/** Pages of the SSO browser a test has dealt with already. */
const seen = new Set<Page>();

before(async () => {
  ({ portal, idp } = await startSsoPortal());
  sso = new SystemBrowser(work, await freePort());
  // The network the e-mail look-up asks: this test's portal server.
  mkdirSync(profileDir, { recursive: true });
  writeFileSync(join(profileDir, 'settings.json'), JSON.stringify({ version: 1, networkUrl: portal.url() }));
  app = await launchDesktop(profileDir, ['--sso-browser', sso.writeLauncher()]);
});

after(async () => {
  await sso?.close();
  await app?.quit();
  await idp?.close();
  await portal?.close();
  rmSync(work, { recursive: true, force: true });
});

const panel = (page: Page) => page.getByRole('tabpanel');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `sso-desktop-${name}.png`) });

/** The URL the core last asked the browser to open: the portal's SSO start, with the loopback redirect. */
const lastOpened = () => sso.lastOpened();

/** The SSO browser's newest window, once it has reached the identity provider's form. */
async function browserAtIdp(): Promise<Page> {
  const connected = await sso.connect();
  const page = await waitFor('the identity provider in the SSO browser', async () =>
    connected
      .contexts()
      .flatMap((c) => c.pages())
      .find((p) => !seen.has(p) && p.url().startsWith(idp.issuer)),
  );
  seen.add(page);
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.getByRole('textbox', { name: 'Login' }).waitFor();
  return page;
}

/** A fresh identity provider session for the next person (the browser would sign the last one in again). */
async function forgetIdpSession(): Promise<void> {
  for (const context of sso.connected?.contexts() ?? []) await context.clearCookies();
}

async function startSso(page: Page, address: string): Promise<void> {
  const form = panel(page);
  const field = form.getByRole('textbox', { name: 'Bitrix24 address or work e-mail' });
  // A sign-in page that failed stays open with its field; otherwise a new tab.
  if (!(await field.isVisible())) {
    await page.getByRole('button', { name: 'Add Bitrix24' }).click();
    await form.getByRole('button', { name: 'Log in with single sign-on' }).click();
  }
  await field.fill(address);
  await form.getByRole('button', { name: 'Continue' }).click();
}

async function signInAtIdp(page: Page, login: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Login' }).fill(login);
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const alertText = async (page: Page) => {
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
};

const storedAccounts = () =>
  (JSON.parse(readFileSync(join(profileDir, 'accounts.json'), 'utf8')) as { accounts: { userId: number; portalUrl: string }[] }).accounts;

describe('desktop: Log in with single sign-on', () => {
  test('dora enters her work e-mail, signs in at the identity provider in the browser, and her Initech tab opens', async () => {
    const page = app.workspace;
    await panel(page).getByRole('button', { name: 'Log in with single sign-on' }).click();
    await panel(page).getByRole('textbox', { name: 'Bitrix24 address or work e-mail' }).fill('dora@example.com');
    await shot(page, '1-address');
    await panel(page).getByRole('button', { name: 'Continue' }).click();
    await panel(page).getByText('Continue in your browser…').waitFor();
    await shot(page, '2-waiting');

    const browser = await browserAtIdp();
    const opened = lastOpened();
    assert.equal(opened.origin, portal.url('initech'), 'the e-mail’s domain led to Initech');
    assert.match(opened.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    await browser.getByRole('textbox', { name: 'Login' }).fill('dora@example.com');
    await browser.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await shot(browser, '3-identity-provider');
    await browser.getByRole('button', { name: 'Sign in' }).click();
    await browser.getByText('You can close this window').waitFor();
    assert.match((await browser.locator('h1').textContent()) ?? '', /You are signed in to Initech/);
    assert.equal(new URL(browser.url()).host, new URL(opened.searchParams.get('redirect_uri') as string).host);
    await shot(browser, '4-browser-done');

    await page.getByRole('tab', { name: /^Initech/ }).waitFor();
    await panel(page).getByText('Dora Klein').first().waitFor();
    await shot(page, '5-tab-open');
    assert.equal(storedAccounts().length, 1);
  });

  test('an e-mail whose domain no Bitrix24 takes is refused in the tab before any browser opens', async () => {
    const page = app.workspace;
    const before = readFileSync(join(work, 'opened.log'), 'utf8');
    await startSso(page, 'someone@example.org');
    assert.match(await alertText(page), /No Bitrix24 uses single sign-on for example\.org addresses/);
    await shot(page, '6-unknown-domain');
    assert.equal(readFileSync(join(work, 'opened.log'), 'utf8'), before, 'no browser was opened');
  });

  test('a callback with a wrong state is refused in the browser and one to an unknown port reaches nobody, while the real answer still arrives: Cancel at the identity provider, shown in the tab', async () => {
    const page = app.workspace;
    await forgetIdpSession();
    await startSso(page, `initech.localhost:${portal.port}`);
    const browser = await browserAtIdp();
    const redirect = new URL(lastOpened().searchParams.get('redirect_uri') as string);

    const forged = await browser.context().newPage();
    seen.add(forged);
    await forged.goto(`${redirect.href}?code=forged&state=not-the-state`);
    assert.match((await forged.locator('main').textContent()) ?? '', /does not belong to the sign-in Multidesk is waiting for/);
    await shot(forged, '7-wrong-state');
    const otherPort = await freePort();
    await assert.rejects(forged.goto(`http://127.0.0.1:${otherPort}/callback?code=forged&state=x`), /ERR_CONNECTION_REFUSED/);
    await forged.close();
    assert.equal(await panel(page).getByText('Continue in your browser…').isVisible(), true, 'the desktop still waits');

    await browser.getByRole('button', { name: 'Cancel' }).click();
    assert.match(await alertText(page), /The sign-in to initech\.localhost:\d+ was cancelled or refused at the identity provider\./);
    await browser.getByText('You can close this window').waitFor();
    await shot(browser, '8-idp-cancel-browser');
    await shot(page, '8-idp-cancel-tab');
    assert.equal(storedAccounts().length, 1, 'nothing stored');
  });

  test('eve is signed in at the identity provider but has no access to Initech: said in the browser and in the tab, nothing stored', async () => {
    const page = app.workspace;
    await forgetIdpSession();
    await startSso(page, 'eve@example.com');
    const browser = await browserAtIdp();
    await signInAtIdp(browser, 'eve@example.com');
    await browser.getByText('You can close this window').waitFor();
    assert.match((await browser.locator('main').textContent()) ?? '', /No access to Initech/);
    assert.match(await alertText(page), /No access to Initech\. eve@example\.com is not a member of Initech/);
    await shot(page, '9-no-access');
    assert.equal(storedAccounts().length, 1);
    assert.equal(await page.getByRole('tab', { name: /^Initech/ }).count(), 1);
  });

  test('Cancel in Multidesk stops waiting: the browser’s late answer finds no one, and no tab opens', async () => {
    const page = app.workspace;
    await forgetIdpSession();
    await startSso(page, 'dora@example.com');
    const browser = await browserAtIdp();
    await panel(page).getByRole('button', { name: 'Cancel' }).click();
    assert.match(await alertText(page), /You cancelled the sign-in/);
    await shot(page, '10-cancelled');
    await signInAtIdp(browser, 'dora@example.com');
    await waitFor('the refused loopback', async () => ((await browser.content()).includes('ERR_CONNECTION_REFUSED') ? true : undefined));
    assert.equal(await page.getByRole('tab', { name: /^Initech/ }).count(), 1);
    assert.equal(storedAccounts().length, 1);
  });

  test('anna signs in to Initech by single sign-on: her existing membership is linked, with the user id of her password sign-in', async () => {
    const page = app.workspace;
    const passwordUserId = (await desktopSignIn(portal, 'initech', 'anna@example.com')).user_id;
    await forgetIdpSession();
    await startSso(page, `initech.localhost:${portal.port}`);
    const browser = await browserAtIdp();
    await signInAtIdp(browser, 'anna@example.com');
    await browser.getByText('You can close this window').waitFor();
    await waitFor('anna’s account', async () => (storedAccounts().length === 2 ? true : undefined));
    const anna = storedAccounts()[1];
    assert.equal(anna?.userId, passwordUserId);
    assert.equal(await page.getByRole('tab', { name: /^Initech/ }).count(), 2);
    const link = await portal.db.selectFrom('sso_identities').selectAll().where('subject', '=', 'idp-anna-0001').executeTakeFirstOrThrow();
    assert.equal(link.member_id, passwordUserId);
    await panel(page).getByText('Anna Smirnova').first().waitFor();
    await shot(page, '11-anna-linked');
  });

  test('when the portal ends dora’s sign-in, her tab signs in again by single sign-on and stays the same account', async () => {
    const page = app.workspace;
    const doraId = (await portal.db.selectFrom('users').select('id').where('email', '=', 'dora@example.com').executeTakeFirstOrThrow()).id;
    await portal.db
      .updateTable('token_families')
      .set({ revoked_at: Date.now() })
      .where('member_id', 'in', portal.db.selectFrom('members').select('id').where('user_id', '=', doraId))
      .execute();
    const doraTab = page.getByRole('tab', { name: /^Initech.*Dora Klein/ });
    // Any request of hers now finds the sign-in ended: My tasks, refreshed, asks every account's portal
    // (while the realtime link is up, lists come from what the core keeps in step with it).
    await page.getByRole('tab', { name: /^My tasks/ }).click();
    await panel(page).getByRole('button', { name: 'Refresh' }).click();
    await doraTab.click();
    await panel(page).getByRole('button', { name: 'Sign in again' }).click();
    await panel(page).getByRole('button', { name: 'Log in with single sign-on' }).click();
    const field = panel(page).getByRole('textbox', { name: 'Bitrix24 address or work e-mail' });
    assert.equal(await field.inputValue(), `initech.localhost:${portal.port}`);
    await forgetIdpSession();
    await panel(page).getByRole('button', { name: 'Continue' }).click();
    const browser = await browserAtIdp();
    await signInAtIdp(browser, 'dora@example.com');
    await browser.getByText('You can close this window').waitFor();
    await panel(page).getByText('Dora Klein').first().waitFor();
    await panel(page).getByRole('button', { name: 'Sign in again' }).waitFor({ state: 'detached' });
    await panel(page)
      .getByText(/Sign-in needed/)
      .waitFor({ state: 'detached' });
    await shot(page, '12-signed-in-again');
    assert.equal(storedAccounts().length, 2, 'the same account, not a new one');
    assert.equal(await page.getByRole('tab', { name: /^Initech/ }).count(), 2);
  });
});
