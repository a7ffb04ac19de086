import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import type { Page } from 'playwright-core';
import { keyringEntry } from '../packages/desktop/src/core/vault/keyringVault.ts';
import { totpCode } from '../packages/portal/src/auth/totp.ts';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS } from './desktopApp.ts';

let portal: TestPortal;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-'));

before(async () => {
  portal = await startTestPortal({ limits: { failuresPerLogin: 3 } });
  app = await launchDesktop(profileDir);
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

const address = (name: string) => `${name}.localhost:${portal.port}`;

/** The sign-in form of the current tab; a new tab is opened with + when asked. */
async function signIn(page: Page, fields: { address: string; login: string; password: string }, options: { newTab?: boolean } = {}) {
  if (options.newTab) await page.getByRole('button', { name: 'Add Bitrix24' }).click();
  const form = page.getByRole('tabpanel').filter({ has: page.getByRole('textbox', { name: 'Bitrix24 address' }) });
  await form.getByRole('textbox', { name: 'Bitrix24 address' }).fill(fields.address);
  await form.getByRole('textbox', { name: 'Login' }).fill(fields.login);
  await form.getByLabel('Password', { exact: true }).fill(fields.password);
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
  return form;
}

const selectedTabName = (page: Page) =>
  page.getByRole('tablist', { name: 'Accounts' }).getByRole('tab', { selected: true }).getAttribute('aria-label');
const tabNames = async (page: Page) =>
  (await page.getByRole('tablist', { name: 'Accounts' }).getByRole('tab').allInnerTexts()).map((t) => t.trim());

function storedAccounts(): { id: string; portalTitle: string; userName: string }[] {
  return JSON.parse(readFileSync(join(profileDir, 'accounts.json'), 'utf8')).accounts;
}

describe('desktop: sign-in page, tabs, account list', () => {
  test('the first window opens ready for a sign-in, and every failure is explained inline', async () => {
    const page = app.workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
    const cases: [{ address: string; login: string; password: string }, RegExp][] = [
      [{ address: 'not an address', login: 'anna@example.com', password: 'x' }, /address like/i],
      [{ address: address('nowhere'), login: 'anna@example.com', password: 'multidesk-demo' }, /no Bitrix24 at/i],
      [{ address: '127.0.0.1:9', login: 'anna@example.com', password: 'multidesk-demo' }, /cannot be reached/i],
      [{ address: address('acme'), login: 'anna@example.com', password: 'wrong-password' }, /wrong login or password/i],
      [{ address: address('initech'), login: 'ben@example.com', password: 'multidesk-demo' }, /not a member/i],
    ];
    for (const [fields, message] of cases) {
      const form = await signIn(page, fields);
      await form.getByRole('alert').filter({ hasText: message }).waitFor({ timeout: 15_000 });
    }
    for (let i = 0; i < 3; i++) {
      const form = await signIn(page, { address: address('acme'), login: 'olivia@example.com', password: `wrong-${i}` });
      await form
        .getByRole('alert')
        .filter({ hasText: /wrong login or password/i })
        .waitFor();
    }
    const form = await signIn(page, { address: address('acme'), login: 'olivia@example.com', password: 'multidesk-demo' });
    await form
      .getByRole('alert')
      .filter({ hasText: /too many attempts.*\d+ seconds/i })
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-sign-in-error.png') });
  });

  test('anna adds acme and globex through +, and Ctrl+1 / Ctrl+2 switch tabs', async () => {
    const page = app.workspace;
    await signIn(page, { address: `http://${address('acme')}/`, login: 'anna@example.com', password: 'multidesk-demo' });
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    await page.getByRole('tabpanel').getByText('Anna Smirnova').first().waitFor();
    await signIn(page, { address: address('globex'), login: 'anna@example.com', password: 'multidesk-demo' }, { newTab: true });
    await page.getByRole('tab', { name: /^Globex/, selected: true }).waitFor();
    await page.keyboard.press('Control+1');
    assert.match((await selectedTabName(page)) ?? '', /^Acme Corp/);
    await page.keyboard.press('Control+2');
    assert.match((await selectedTabName(page)) ?? '', /^Globex/);
  });

  test("chen's sign-in asks for the code from the authenticator app", async () => {
    const page = app.workspace;
    const form = await signIn(
      page,
      { address: address('initech'), login: 'chen@example.com', password: 'multidesk-demo' },
      { newTab: true },
    );
    const code = form.getByRole('textbox', { name: 'Code' });
    await code.waitFor();
    const secret = portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
    await code.fill(totpCode(secret, portal.clock.now()));
    await form.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('tab', { name: /^Initech/, selected: true }).waitFor();
  });

  test('ben and anna are both signed in to acme, in two tabs', async () => {
    const page = app.workspace;
    await signIn(page, { address: address('acme'), login: 'ben@example.com', password: 'multidesk-demo' }, { newTab: true });
    await page.getByRole('tab', { name: /^Acme Corp.*Ben/, selected: true }).waitFor();
    assert.equal(await page.getByRole('tab', { name: /^Acme Corp/ }).count(), 2);
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-signed-in.png') });
  });

  test('Ctrl+Tab and Ctrl+Shift+Tab cycle through the tabs, and Ctrl+T opens +', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+Tab');
    assert.match((await selectedTabName(page)) ?? '', /^Globex/);
    await page.keyboard.press('Control+Shift+Tab');
    assert.match((await selectedTabName(page)) ?? '', /^Acme Corp.*Anna/);
    await page.keyboard.press('Control+Shift+Tab');
    assert.match((await selectedTabName(page)) ?? '', /^My tasks/, 'My tasks is the first tab, before the accounts');
    await page.keyboard.press('Control+Shift+Tab');
    assert.match((await selectedTabName(page)) ?? '', /^Acme Corp.*Ben/, 'wraps around to the last tab');
    await page.keyboard.press('Control+t');
    const address = page.getByRole('textbox', { name: 'Bitrix24 address' });
    await address.waitFor();
    assert.ok(await address.evaluate((el) => el === document.activeElement), 'the address field has the focus');
    await page.getByRole('button', { name: 'Close tab' }).click();
    await address.waitFor({ state: 'detached' });
  });

  test('Disconnect closes the tab, keeps the account listed and stops all its traffic; Connect brings it back', async () => {
    const messenger = app.messenger;
    await messenger.getByRole('button', { name: 'Accounts' }).click();
    await messenger.getByRole('button', { name: 'More actions for Globex' }).click();
    await messenger.getByRole('menuitem', { name: 'Disconnect' }).waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'messenger-account-menu.png') });
    await messenger.getByRole('menuitem', { name: 'Disconnect' }).click();
    await app.workspace.getByRole('tab', { name: /^Globex/ }).waitFor({ state: 'detached' });
    await messenger
      .getByText(/Disconnected/)
      .first()
      .waitFor();
    const globexHost = address('globex');
    const before = portal.requests.filter((r) => r.host === globexHost).length;
    await app.workspace.keyboard.press('Control+1');
    await app.workspace.keyboard.press('Control+2');
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(portal.requests.filter((r) => r.host === globexHost).length, before, 'no request to globex after Disconnect');

    const signInsBefore = portal.requests.filter((r) => r.path === '/oauth/desktop/login').length;
    if (!(await messenger.getByRole('button', { name: 'More actions for Globex' }).isVisible())) {
      await messenger.getByRole('button', { name: 'Accounts' }).click();
    }
    await messenger.getByRole('button', { name: 'More actions for Globex' }).click();
    await messenger.getByRole('menuitem', { name: 'Connect' }).click();
    await app.workspace.getByRole('tab', { name: /^Globex/ }).waitFor();
    assert.equal(portal.requests.filter((r) => r.path === '/oauth/desktop/login').length, signInsBefore, 'Connect needs no login');
  });

  test('after a restart every tab is back without a login', async () => {
    const signInsBefore = portal.requests.filter((r) => r.path === '/oauth/desktop/login').length;
    await app.quit();
    app = await launchDesktop(profileDir);
    const page = app.workspace;
    await page.getByRole('tab', { name: /^Initech/ }).waitFor();
    const names = await tabNames(page);
    // My tasks, then the four accounts.
    assert.equal(names.length, 5, names.join(' | '));
    assert.equal(portal.requests.filter((r) => r.path === '/oauth/desktop/login').length, signInsBefore);
  });

  test("Delete kills acme's sign-in on the server, removes its keyring entry and cache, and adding it again needs the password", async () => {
    const anna = storedAccounts().find((a) => a.portalTitle === 'Acme Corp' && a.userName === 'Anna Smirnova');
    assert.ok(anna);
    const saved = await keyringEntry('multidesk', anna.id).getPassword();
    assert.ok(saved, 'the sign-in is in the keyring');
    const { refreshToken } = JSON.parse(saved) as { refreshToken: string };
    assert.ok(existsSync(join(profileDir, 'cache', anna.id)));

    const messenger = app.messenger;
    await messenger.getByRole('button', { name: 'Accounts' }).click();
    await messenger.getByRole('button', { name: 'More actions for Acme Corp' }).first().click();
    await messenger.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = messenger.getByRole('dialog', { name: 'Delete Acme Corp?' });
    await dialog.waitFor();
    // The safe choice has the focus, and Escape cancels: nothing is deleted.
    assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement), true);
    await messenger.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(existsSync(join(profileDir, 'cache', anna.id)), 'Escape deleted nothing');
    if (!(await messenger.getByRole('button', { name: 'More actions for Acme Corp' }).first().isVisible())) {
      await messenger.getByRole('button', { name: 'Accounts' }).click();
    }
    await messenger.getByRole('button', { name: 'More actions for Acme Corp' }).first().click();
    await messenger.getByRole('menuitem', { name: 'Delete' }).click();
    await dialog.waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'messenger-delete-confirm.png') });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await app.workspace.getByRole('tab', { name: /^Acme Corp.*Anna/ }).waitFor({ state: 'detached' });

    assert.equal((await keyringEntry('multidesk', anna.id).getPassword()) ?? null, null, 'keyring entry removed');
    assert.equal(existsSync(join(profileDir, 'cache', anna.id)), false, 'cache removed');
    const refresh = await fetch(`${portal.url('acme')}/oauth/token/`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: refreshToken }),
    });
    assert.equal(refresh.status, 400, 'the refresh token is dead on the server');

    const page = app.workspace;
    await page.getByRole('button', { name: 'Add Bitrix24' }).click();
    await page.getByRole('tabpanel').getByLabel('Password', { exact: true }).waitFor();
    await signIn(page, { address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
    await page.getByRole('tab', { name: /^Acme Corp.*Anna/ }).waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'messenger-account-list.png') });
  });

  test('the bridge refuses requests without the cookie, with a foreign Host or a foreign Origin', async () => {
    const origin = new URL(app.workspace.url()).origin;
    const noCookie = await fetch(`${origin}/api/state`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noCookie.status, 401);
    const fromPage = (headers: Record<string, string>) =>
      app.workspace.evaluate(
        async ({ url, headers }) => {
          try {
            const response = await fetch(url, { method: 'POST', headers, body: '{}' });
            return response.status;
          } catch {
            return 0;
          }
        },
        { url: `${origin}/api/state`, headers },
      );
    assert.equal(await fromPage({ 'content-type': 'application/json' }), 200, 'the window itself is let in');
    const foreign = await app.browser.contexts()[0]!.newPage();
    try {
      await foreign.goto('data:text/html,<title>elsewhere</title>');
      const status = await foreign.evaluate(async (url) => {
        try {
          return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'include' }))
            .status;
        } catch {
          return 0;
        }
      }, `${origin}/api/state`);
      assert.notEqual(status, 200, 'a foreign page is refused');
    } finally {
      await foreign.close();
    }
  });

  test('closing both windows ends Multidesk and leaves no browser process behind', async () => {
    const exited = new Promise<number | null>((resolve) => app.core.once('exit', (code) => resolve(code)));
    await app.messenger.close();
    await app.workspace.close();
    assert.equal(await exited, 0);
    const stray = spawnSync('pgrep', ['-f', profileDir], { encoding: 'utf8' });
    assert.equal(stray.stdout.trim(), '', `processes still running: ${stray.stdout}`);
  });
});
