import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { restAs, signInAs } from '../packages/portal/test/tokens.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS } from './desktopApp.ts';

let portal: TestPortal;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-messenger-'));

before(async () => {
  portal = await startTestPortal();
  app = await launchDesktop(profileDir);
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

/** Plain Bitrix24 REST as ben on acme (his own OAuth token). */
function asBen(method: string, params: Record<string, unknown>): Promise<any> {
  return restAs(portal, 'acme', 'ben@example.com', method, params);
}

describe('desktop: chats in the Messenger', () => {
  test('anna signs in to acme; the Messenger lists her chats with unread counts', async () => {
    const page = app.workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).fill(`acme.localhost:${portal.port}`);
    await page.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await page.getByLabel('Password', { exact: true }).fill('multidesk-demo');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    const chats = app.messenger.getByRole('list', { name: 'Chats' });
    await chats.getByRole('button', { name: 'Acme team, 2 unread' }).waitFor();
    await chats.getByRole('button', { name: 'Website relaunch', exact: true }).waitFor();
  });

  test('opening a chat shows its history and marks it read', async () => {
    const messenger = app.messenger;
    const chats = messenger.getByRole('list', { name: 'Chats' });
    await chats.getByRole('button', { name: 'Acme team, 2 unread' }).click();
    const dialog = messenger.getByRole('region', { name: 'Acme team' });
    const messages = dialog.getByRole('list', { name: 'Messages' });
    await messages.getByText('Good morning! Stand-up moves to 10:30 today.').waitFor();
    await messages.getByText('Anna, can you look at the banner before lunch?').waitFor();
    await chats.getByRole('button', { name: 'Acme team', exact: true }).waitFor();
  });

  test('anna sends a message (Enter), ben answers through REST and it appears live', async () => {
    const messenger = app.messenger;
    const dialog = messenger.getByRole('region', { name: 'Acme team' });
    const box = dialog.getByRole('textbox', { name: 'Message' });
    await box.fill('Looking at the banner now.');
    await box.press('Shift+Enter');
    await box.pressSequentially('Two lines.');
    assert.equal(await box.inputValue(), 'Looking at the banner now.\nTwo lines.');
    // The core's answer is held until the message shows: its change (shown pending) may come first,
    // and the text must not be in the composer and the history at once.
    let releaseAnswer!: () => void;
    const answerReleased = new Promise<void>((resolve) => (releaseAnswer = resolve));
    let answered!: () => void;
    const answerGiven = new Promise<void>((resolve) => (answered = resolve));
    await messenger.route('**/api/chats/send', async (route) => {
      const response = await route.fetch();
      await answerReleased;
      await route.fulfill({ response });
      answered();
    });
    const messages = dialog.getByRole('list', { name: 'Messages' });
    try {
      await box.press('Enter');
      await messages.getByText(/Looking at the banner now\.\s+Two lines\./).waitFor();
      assert.equal(await box.inputValue(), '');
    } finally {
      releaseAnswer();
      // Unrouted while held, the request would go on to the core a second time.
      await Promise.race([answerGiven, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await messenger.unroute('**/api/chats/send');
    }
    // Shown at once as pending; the portal's answer turns it into a message.
    await messages.locator('.chat-message:not(.is-pending)', { hasText: 'Two lines.' }).waitFor();
    const recent = (await asBen('im.recent.list', {})) as { items: { id: string; title: string }[] };
    const team = recent.items.find((i) => i.title === 'Acme team');
    assert.ok(team);
    const sent = (await asBen('im.dialog.messages.get', { DIALOG_ID: team.id })) as { messages: { text: string }[] };
    assert.equal(sent.messages.filter((m) => m.text === 'Looking at the banner now.\nTwo lines.').length, 1, 'sent exactly once');

    await asBen('im.message.add', { DIALOG_ID: team.id, MESSAGE: 'Thanks, Anna!' });
    await messages.getByText('Thanks, Anna!').waitFor();
    // Read at once, since the chat is open.
    await messenger.getByRole('list', { name: 'Chats' }).getByRole('button', { name: 'Acme team', exact: true }).waitFor();
  });

  test('a message the app could not take comes back to the composer, with the reason', async () => {
    const dialog = app.messenger.getByRole('region', { name: 'Acme team' });
    const box = dialog.getByRole('textbox', { name: 'Message' });
    await app.messenger.route('**/api/chats/send', (route) => route.abort());
    try {
      await box.fill('Not sent yet');
      await box.press('Enter');
      await dialog.getByRole('alert').getByText('Multidesk is not responding. Is the app still running?').waitFor();
      assert.equal(await box.inputValue(), 'Not sent yet');
    } finally {
      await app.messenger.unroute('**/api/chats/send');
    }
    await box.press('Enter');
    await dialog.getByRole('list', { name: 'Messages' }).locator('.chat-message:not(.is-pending)', { hasText: 'Not sent yet' }).waitFor();
    assert.equal(await box.inputValue(), '');
    assert.equal(await dialog.getByRole('alert').count(), 0, 'the reason goes once the message is taken');
  });

  test('markup in a message shows as text, never as HTML', async () => {
    const messenger = app.messenger;
    const recent = (await asBen('im.recent.list', {})) as { items: { id: string; title: string }[] };
    const team = recent.items.find((i) => i.title === 'Acme team');
    assert.ok(team);
    const payload = '<img src=x onerror=alert(1)>';
    let alerted = false;
    messenger.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    await asBen('im.message.add', { DIALOG_ID: team.id, MESSAGE: payload });
    const dialog = messenger.getByRole('region', { name: 'Acme team' });
    await dialog.getByRole('list', { name: 'Messages' }).getByText(payload, { exact: true }).waitFor();
    assert.equal(await dialog.locator('.chat-messages img').count(), 0);
    assert.equal(alerted, false);
    await messenger.screenshot({ path: join(SCREENSHOTS, 'messenger-chat.png') });
  });

  test('a burst of messages is applied live with no request to the portal; reopened, older ones load on demand', async () => {
    const messenger = app.messenger;
    const recent = (await asBen('im.recent.list', {})) as { items: { id: string; title: string }[] };
    const team = recent.items.find((i) => i.title === 'Acme team');
    assert.ok(team);
    const { access_token } = await signInAs(portal, 'acme', 'ben@example.com');
    // Anna's calls: everything on acme's REST but ben's posts.
    const annasCalls = () =>
      portal.requests.filter(
        (r) => r.host.startsWith('acme.') && r.path.startsWith('/rest/') && !r.path.startsWith('/rest/im.message.add'),
      );
    const before = annasCalls().length;
    for (let i = 1; i <= 30; i++) {
      const response: Response = await fetch(`${portal.url('acme')}/rest/im.message.add.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ DIALOG_ID: team.id, MESSAGE: `Burst ${i}`, auth: access_token }),
      });
      assert.equal(response.status, 200);
    }
    const dialog = messenger.getByRole('region', { name: 'Acme team' });
    const messages = dialog.getByRole('list', { name: 'Messages' });
    await messages.getByText('Burst 30', { exact: true }).waitFor();
    assert.equal(await messenger.getByText('Too many requests').count(), 0);
    assert.equal(await messages.getByText(/^Burst \d+$/).count(), 30);
    await messages.getByText('Good morning! Stand-up moves to 10:30 today.').waitFor();
    // The open chat is marked read once the burst is over: that one request, nothing per message.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const calls = annasCalls()
      .slice(before)
      .map((r) => r.path);
    assert.deepEqual(
      calls.filter((path) => !path.startsWith('/rest/im.dialog.read')),
      [],
      'no reload of the list or the dialog',
    );
    assert.ok(calls.length <= 2, `read at most twice for 30 messages: ${calls.join(', ')}`);

    // Opened again, the chat shows its newest page; the rest of the history comes on demand.
    const chats = messenger.getByRole('list', { name: 'Chats' });
    await chats.getByRole('button', { name: /^Website relaunch/ }).click();
    await chats.getByRole('button', { name: /^Acme team/ }).click();
    await messages.getByText('Burst 30', { exact: true }).waitFor();
    const first = messages.getByText('Good morning! Stand-up moves to 10:30 today.');
    await dialog.getByRole('button', { name: 'Load older messages' }).click();
    await first.waitFor();
    await dialog.getByRole('button', { name: 'Load older messages' }).waitFor({ state: 'detached' });
    assert.equal(await messages.getByText(/^Burst \d+$/).count(), 30);
  });
});
