import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningIdp } from '../packages/idp/src/idp.ts';
import type { TestPortal } from '../packages/portal/test/harness.ts';
import { startSsoPortal } from '../packages/portal/test/ssoPortal.ts';
import { type AxeReport, describeViolations, runAxe } from './axe.ts';
import { type DesktopApp, launchDesktop } from './desktopApp.ts';

/**
 * axe-core on every screen of both windows, in one launch of the real app: the sign-in pages
 * (address, the network's portal list, QR, waiting for single sign-on), an account's tab with its
 * home and tasks, a task, My tasks, the Messenger with a chat open, the account menu, the delete
 * dialog and Settings. A serious or critical violation fails; every one found is printed.
 */
let portal: TestPortal;
let idp: RunningIdp;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-a11y-'));
const reports: AxeReport[] = [];

before(async () => {
  ({ portal, idp } = await startSsoPortal());
  // Single sign-on waits for a browser that never answers: the screen under test is the waiting one.
  app = await launchDesktop(profileDir, ['--sso-browser', '/bin/true']);
});
after(async () => {
  await app?.quit();
  await idp?.close();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

const panel = (page: Page) => page.getByRole('tabpanel');

/** Runs axe on the page and keeps its report; the last test fails on what is serious or critical. */
async function check(page: Page, screen: string): Promise<void> {
  reports.push(await runAxe(page, screen));
}

async function newSignInTab(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add Bitrix24' }).click();
  await panel(page).getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
}

describe('desktop: every screen passes axe-core (no serious or critical violation)', () => {
  test('sign-in: the address form, and its inline error', async () => {
    const page = app.workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
    await check(page, 'sign-in address form');
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).fill(`acme.localhost:${portal.port}`);
    await page.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await panel(page).getByRole('alert').waitFor();
    await check(page, 'sign-in error');
  });

  test('sign-in: the portal list of a network login, then an account tab with its home and tasks', async () => {
    const page = app.workspace;
    await panel(page).getByRole('button', { name: 'Sign in using login and password' }).click();
    await panel(page).getByRole('textbox', { name: 'Network' }).fill(`localhost:${portal.port}`);
    await panel(page).getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await panel(page).getByLabel('Password', { exact: true }).fill('multidesk-demo');
    await panel(page).getByRole('button', { name: 'Log in', exact: true }).click();
    await panel(page).getByRole('radio', { name: 'Acme Corp' }).waitFor();
    await check(page, 'portal list');
    await panel(page).getByRole('radio', { name: 'Acme Corp' }).check();
    await panel(page).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    const tasks = panel(page).getByRole('region', { name: 'Tasks', exact: true });
    await tasks.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: 'Approve the Q4 marketing budget' }).waitFor();
    await panel(page).getByText('Anna Smirnova').first().waitFor();
    await check(page, 'account tab (home and tasks)');
  });

  test("an account's task: the detail dialog and the New task form", async () => {
    const page = app.workspace;
    const tasks = panel(page).getByRole('region', { name: 'Tasks', exact: true });
    await tasks.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: 'Approve the Q4 marketing budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve the Q4 marketing budget' });
    await dialog.getByText('Ben Carter').waitFor();
    await check(page, 'task detail');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await tasks.getByRole('button', { name: 'New task' }).click();
    const form = page.getByRole('dialog', { name: 'New task' });
    await form.waitFor();
    await check(page, 'new task form');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
  });

  test('My tasks', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+0');
    await panel(page).getByRole('list', { name: 'Open tasks' }).getByRole('button').first().waitFor();
    await check(page, 'My tasks');
  });

  test('sign-in: Log in with QR code', async () => {
    const page = app.workspace;
    await newSignInTab(page);
    await panel(page).getByRole('button', { name: 'Log in with QR code' }).click();
    await panel(page).getByRole('img', { name: 'QR code' }).waitFor();
    await check(page, 'QR code');
    await page.getByRole('button', { name: 'Close tab' }).click();
  });

  test('sign-in: single sign-on, waiting for the browser', async () => {
    const page = app.workspace;
    await newSignInTab(page);
    await panel(page).getByRole('button', { name: 'Log in with single sign-on' }).click();
    await panel(page).getByRole('textbox', { name: 'Bitrix24 address or work e-mail' }).fill(`initech.localhost:${portal.port}`);
    await panel(page).getByRole('button', { name: 'Continue' }).click();
    await panel(page).getByText('Continue in your browser…').waitFor();
    await check(page, 'single sign-on waiting');
    await panel(page).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Close tab' }).click();
  });

  test('Settings', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+Comma');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('checkbox').first().waitFor();
    await check(page, 'Settings');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('the Messenger with a chat open, the account menu and the delete dialog', async () => {
    const messenger = app.messenger;
    const chats = messenger.getByRole('list', { name: 'Chats' });
    await chats.getByRole('button', { name: 'Acme team, 2 unread' }).click();
    await messenger
      .getByRole('region', { name: 'Acme team' })
      .getByRole('list', { name: 'Messages' })
      .getByText('Good morning! Stand-up moves to 10:30 today.')
      .waitFor();
    await check(messenger, 'Messenger with a chat open');
    await messenger.getByRole('button', { name: 'Accounts' }).click();
    await messenger.getByRole('button', { name: 'More actions for Acme Corp' }).click();
    await messenger.getByRole('menuitem', { name: 'Delete' }).waitFor();
    await check(messenger, 'account menu');
    await messenger.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = messenger.getByRole('dialog', { name: 'Delete Acme Corp?' });
    await dialog.waitFor();
    await check(messenger, 'delete dialog');
    await messenger.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('no screen has a serious or critical violation', () => {
    console.log(reports.map((r) => `${r.screen}: ${r.violations.length} violations, ${r.failing.length} serious or critical`).join('\n'));
    assert.equal(reports.length, 13, `every screen was checked: ${reports.map((r) => r.screen).join(', ')}`);
    const failing = reports.filter((r) => r.failing.length > 0);
    assert.deepEqual(
      failing.map((r) => `${r.screen}: ${r.failing.map((v) => v.id).join(', ')}`),
      [],
      failing.map((r) => describeViolations({ ...r, violations: r.failing })).join('\n'),
    );
  });
});
