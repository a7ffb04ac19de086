import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { oauthClient } from '../packages/portal/test/sdkClient.ts';
import { signInAs, webhookFor } from '../packages/portal/test/tokens.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS } from './desktopApp.ts';

let portal: TestPortal;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-webhook-'));

before(async () => {
  portal = await startTestPortal();
  app = await launchDesktop(profileDir);
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

/** The webhook form of the sign-in page, reached from the address page's other ways in. */
async function webhookForm(page: Page) {
  const panel = page.getByRole('tabpanel');
  const field = panel.getByRole('textbox', { name: 'Webhook URL' });
  if (!(await field.isVisible())) await panel.getByRole('button', { name: 'Connect with a webhook' }).click();
  await field.waitFor();
  return {
    panel,
    connect: async (url: string) => {
      await field.fill(url);
      await panel.getByRole('button', { name: 'Connect', exact: true }).click();
    },
  };
}

describe('desktop: Connect with a webhook', () => {
  test('bad and wrong webhook URLs are explained inline and nothing is added', async () => {
    const page = app.workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
    const form = await webhookForm(page);
    const cases: [string, RegExp][] = [
      ['acme.bitrix24.com', /Paste the webhook URL/],
      ['http://acme.bitrix24.com/rest/1/abcd1234efgh5678/', /unencrypted/],
      [`http://acme.localhost:${portal.port}/`, /not an inbound webhook URL/],
      [`http://acme.localhost:${portal.port}/rest/1/abcdefgh12345678/`, /did not accept this webhook/],
    ];
    for (const [url, message] of cases) {
      await form.connect(url);
      await form.panel.getByRole('alert').filter({ hasText: message }).waitFor({ timeout: 15_000 });
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-error.png') });
    assert.equal(
      await page
        .getByRole('tablist', { name: 'Accounts' })
        .getByRole('tab', { name: /^acme\.localhost/ })
        .count(),
      0,
    );
  });

  test('anna pastes her acme webhook: a tab named after the portal opens, and ben’s message arrives live over Pull', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user', 'im', 'task', 'pull_channel']);
    const page = app.workspace;
    const form = await webhookForm(page);
    await form.connect(`${hook.url}/`);
    const tab = page.getByRole('tab', { name: new RegExp(`^acme\\.localhost:${portal.port}`) });
    await tab.waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: `acme.localhost:${portal.port}` }).waitFor();
    await page.getByRole('button', { name: 'Open in browser' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-account.png') });
    assert.equal(
      readFileSync(join(profileDir, 'accounts.json'), 'utf8').includes(hook.secret),
      false,
      'the code is not in the account list',
    );
    assert.equal(app.output().includes(hook.secret), false, 'nor in the app’s output');

    const messenger = app.messenger;
    const ben = messenger.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Ben Carter(,|$)/ });
    await ben.click();
    const dialog = messenger.getByRole('region', { name: 'Ben Carter' });
    const sdk = oauthClient(await signInAs(portal, 'acme', 'ben@example.com'));
    const sent = await sdk.actions.v2.call.make({
      method: 'im.message.add',
      params: { DIALOG_ID: hook.memberId, MESSAGE: 'Over Pull to a webhook' },
    });
    assert.ok(sent.isSuccess, sent.getErrorMessages().join('; '));
    await dialog.getByText('Over Pull to a webhook').waitFor({ timeout: 15_000 });
    await messenger.screenshot({ path: join(SCREENSHOTS, 'webhook-messenger.png') });
  });

  test('Delete says where the webhook itself is deleted, and removes the account', async () => {
    const messenger = app.messenger;
    await messenger.getByRole('button', { name: 'Accounts' }).click();
    await messenger.getByRole('button', { name: new RegExp(`^More actions for acme\\.localhost:${portal.port}`) }).click();
    await messenger.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = messenger.getByRole('dialog');
    await confirm.getByText(/stays valid in Bitrix24/).waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'webhook-delete.png') });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await app.workspace
      .getByRole('tab', { name: new RegExp(`^acme\\.localhost:${portal.port}`) })
      .waitFor({ state: 'detached', timeout: 15_000 });
  });
});
