import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS, waitFor } from './desktopApp.ts';
import { cutOff } from './portalCutOff.ts';

/**
 * Settings and languages through the real app: the Settings screen opens with Ctrl+, and gives the
 * focus back; Russian is chosen there and both windows speak it at once, with Russian plurals on
 * screen and nothing cut off (screenshots in e2e/screenshots/ru-*.png); the choice outlives a
 * restart; "System" follows LANG; start at login writes the XDG autostart entry.
 */

let portal: TestPortal;
let app: DesktopApp | undefined;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-language-'));
const configHome = mkdtempSync(join(tmpdir(), 'multidesk-e2e-xdg-'));
const launch = (env: NodeJS.ProcessEnv = {}) => launchDesktop(profileDir, [], { XDG_CONFIG_HOME: configHome, ...env });
const opened = (): DesktopApp => app as DesktopApp;

before(async () => {
  portal = await startTestPortal();
  app = await launch();
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
  rmSync(configHome, { recursive: true, force: true });
});

/** Text in buttons, tabs, labels, headings and notices that does not fit its box (clipped on purpose: `.ellipsis` only). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(
      'button, [role=tab], label, legend, h1, h2, h3, p, option, .tag, .badge, .tab-title, .tab-subtitle, select, .chat-list-last, .task-status',
    )) {
      if (!el.checkVisibility() || el.closest('.ellipsis') || el.classList.contains('ellipsis')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        out.push(el.textContent?.trim() ?? el.tagName);
      const box = el.getBoundingClientRect();
      if (box.right > document.documentElement.clientWidth + 1) out.push(`${el.textContent?.trim()} (past the window's edge)`);
    }
    // Side by side in a row (a task's status, deadline and person; buttons; a tab strip): no two overlap.
    for (const row of document.querySelectorAll<HTMLElement>(
      '.task-meta, .actions, .tabstrip, .tablist, .chat-list-top, .panel-header, .task-toolbar, .section-head',
    )) {
      if (!row.checkVisibility()) continue;
      const boxes = [...row.children]
        .filter((c) => c.checkVisibility())
        .map((c) => [c, c.getBoundingClientRect()] as const)
        // Screen-reader-only text is a pixel wide.
        .filter(([, r]) => r.width > 2 && r.height > 2)
        .sort(([, a], [, b]) => a.left - b.left);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, ra] = boxes[i] as (typeof boxes)[number];
          const [b, rb] = boxes[j] as (typeof boxes)[number];
          const sameLine = ra.top < rb.bottom && rb.top < ra.bottom;
          if (sameLine && ra.right > rb.left + 1) out.push(`"${a.textContent?.trim()}" runs into "${b.textContent?.trim()}"`);
        }
      }
    }
    return out;
  });
}

/** The Russian plural form of `n` for "непрочитанное сообщение". */
function unreadMessagesRu(n: number): string {
  const form = new Intl.PluralRules('ru').select(n);
  return `${n} ${form === 'one' ? 'непрочитанное сообщение' : form === 'few' ? 'непрочитанных сообщения' : 'непрочитанных сообщений'}`;
}

/** The window a page is in, and its place, through the page's own DevTools session. */
async function windowOf(page: Page) {
  const session = await page.context().newCDPSession(page);
  const { windowId, bounds } = (await session.send('Browser.getWindowForTarget')) as {
    windowId: number;
    bounds: { left: number; top: number; width: number; height: number };
  };
  const { left, top, width, height } = bounds;
  return { session, windowId, bounds: { left, top, width, height } };
}

async function chooseLanguage(page: Page, dialogName: string, label: string, option: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByLabel(label).selectOption({ label: option });
}

describe('desktop: Settings and languages', () => {
  test('anna signs in to acme in English (the launcher forces it)', async () => {
    const page = opened().workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).fill(`acme.localhost:${portal.port}`);
    await page.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
    await page.getByLabel('Password', { exact: true }).fill('multidesk-demo');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page
      .getByRole('tablist', { name: 'Accounts' })
      .getByRole('tab', { name: /^Acme Corp/ })
      .waitFor();
    await opened().messenger.getByRole('list', { name: 'Chats' }).getByRole('button', { name: 'Acme team, 2 unread' }).waitFor();
  });

  test('Ctrl+, opens Settings with the focus in it; Escape closes it and the focus comes back', async () => {
    const page = opened().workspace;
    const tab = page.getByRole('tab', { name: /^Acme Corp/ });
    await tab.focus();
    await page.keyboard.press('Control+Comma');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('checkbox', { name: 'Show notifications of new messages' }).waitFor();
    assert.equal(await dialog.evaluate((el) => el.contains(document.activeElement)), true, 'the focus is in Settings');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await tab.evaluate((el) => el === document.activeElement), true, 'the focus is back on the tab');
    // The gear button opens it too.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await dialog.waitFor();
  });

  test('start at login writes the XDG autostart entry and removes it', async () => {
    const dialog = opened().workspace.getByRole('dialog', { name: 'Settings' });
    const entry = join(configHome, 'autostart', 'multidesk.desktop');
    const box = dialog.getByRole('checkbox', { name: 'Start Multidesk when I log in' });
    await box.check();
    const deadline = Date.now() + 10_000;
    while (!existsSync(entry)) {
      assert.ok(Date.now() < deadline, 'no autostart entry');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(readFileSync(entry, 'utf8'), /^Exec=\S+ \S+\/src\/core\/main\.ts --profile \S+$/m);
    await box.uncheck();
    while (existsSync(entry)) {
      assert.ok(Date.now() < deadline, 'the autostart entry stayed');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('choosing Русский turns both windows Russian at once, plurals and all, and nothing is cut off', async () => {
    const { workspace, messenger } = opened();
    await chooseLanguage(workspace, 'Settings', 'Language', 'Русский');
    const dialog = workspace.getByRole('dialog', { name: 'Настройки' });
    await dialog.getByRole('checkbox', { name: 'Показывать уведомления о новых сообщениях' }).waitFor();
    await dialog.getByRole('radio', { name: 'Файл в папке профиля (без шифрования)' }).check();
    await dialog.getByText('Файл может прочитать любой').waitFor();
    await workspace.screenshot({ path: join(SCREENSHOTS, 'ru-settings.png') });
    assert.deepEqual(await overflowing(workspace), [], 'Settings: text that does not fit');
    await dialog.getByRole('radio', { name: 'Системная связка ключей (зашифровано)' }).check();
    await dialog.getByRole('button', { name: 'Закрыть' }).click();
    await dialog.waitFor({ state: 'detached' });

    await workspace.getByRole('tablist', { name: 'Учётные записи' }).waitFor();
    await workspace.getByRole('button', { name: 'Открыть в браузере' }).waitFor();
    await workspace.getByRole('region', { name: 'Задачи', exact: true }).waitFor();
    assert.equal(await workspace.evaluate(() => document.documentElement.lang), 'ru');
    await workspace.screenshot({ path: join(SCREENSHOTS, 'ru-workspace.png') });
    assert.deepEqual(await overflowing(workspace), [], 'Workspace: text that does not fit');

    // My tasks: "… в 1 учётной записи" (the "one" form).
    await workspace.keyboard.press('Control+0');
    await workspace.getByText(/открыт(ая|ые|ых) задач(а|и)?.* в 1 учётной записи/).waitFor();
    await workspace.screenshot({ path: join(SCREENSHOTS, 'ru-my-tasks.png') });
    assert.deepEqual(await overflowing(workspace), [], 'My tasks: text that does not fit');

    // The Messenger heard the same state: its chats pane counts unread messages in Russian.
    const chats = messenger.getByRole('list', { name: 'Чаты' });
    await chats.getByRole('button', { name: /^Acme team, 2 непрочитанных$/ }).waitFor();
    const counted = messenger.locator('.chats-unread');
    await counted.waitFor();
    const text = (await counted.textContent())?.trim() ?? '';
    const n = Number(/^\d+/.exec(text)?.[0]);
    assert.ok(n >= 2, text);
    assert.equal(text, unreadMessagesRu(n));
    assert.equal(await messenger.title(), `(${n}) Мессенджер — Multidesk`);
    await chats.getByRole('button', { name: /^Acme team/ }).click();
    const box = messenger.getByRole('textbox', { name: 'Сообщение' });
    await box.waitFor();
    assert.equal(await box.getAttribute('placeholder'), 'Напишите сообщение…');
    // Reading the team chat leaves fewer unread: the count and its form follow.
    await messenger
      .locator('.chats-unread', { hasText: unreadMessagesRu(n - 2) })
      .or(messenger.locator('.chats-pane:not(:has(.chats-unread))'))
      .first()
      .waitFor();
    await messenger.getByRole('button', { name: 'Учётные записи' }).click();
    await messenger.getByRole('button', { name: 'Другие действия для Acme Corp' }).waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'ru-messenger.png') });
    assert.deepEqual(await overflowing(messenger), [], 'Messenger: text that does not fit');
    await messenger.keyboard.press('Escape');
  });

  test('a portal out of reach is said in Russian too: the core reports a code, the window words it', async () => {
    const { workspace } = opened();
    const restore = cutOff(portal, `acme.localhost:${portal.port}`);
    try {
      await workspace.keyboard.press('Control+0');
      const myTasks = workspace.getByRole('tabpanel');
      await myTasks.getByRole('button', { name: 'Обновить' }).click();
      await myTasks.getByText(/Показаны .*\. Портал недоступен; повторяем попытку\./).waitFor({ timeout: 20_000 });
      await workspace.screenshot({ path: join(SCREENSHOTS, 'ru-unreachable.png') });
      assert.equal(await myTasks.getByText(/Cannot reach/).count(), 0, 'no English left in a Russian window');
    } finally {
      restore();
    }
    await workspace.getByRole('tabpanel').getByRole('button', { name: 'Обновить' }).click();
    await workspace
      .getByText(/Портал недоступен/)
      .first()
      .waitFor({ state: 'detached', timeout: 20_000 });
  });

  test('the choice outlives a restart; "System" follows LANG', async () => {
    await opened().quit();
    app = await launch();
    const { workspace } = opened();
    await workspace.getByRole('button', { name: 'Открыть в браузере' }).waitFor();
    await workspace.keyboard.press('Control+Comma');
    // LANG is C here: the system language is English.
    await chooseLanguage(workspace, 'Настройки', 'Язык', 'Как в системе (English)');
    await workspace.getByRole('dialog', { name: 'Settings' }).waitFor();
    await workspace.keyboard.press('Escape');
    await workspace.getByRole('button', { name: 'Open in browser' }).waitFor();
    await opened().quit();

    app = await launch({ LANG: 'ru_RU.UTF-8' });
    await opened().workspace.getByRole('button', { name: 'Открыть в браузере' }).waitFor();
    await opened().messenger.getByRole('list', { name: 'Чаты' }).waitFor();
  });

  test('each window opens again where it was left when the app starts again', async () => {
    const place = { left: 40, top: 30, width: 900, height: 640 };
    const { session, windowId } = await windowOf(opened().messenger);
    await session.send('Browser.setWindowBounds', { windowId, bounds: place });
    const kept = await waitFor("the Messenger's place in settings.json", async () => {
      const saved = JSON.parse(readFileSync(join(profileDir, 'settings.json'), 'utf8')).windows?.messenger;
      return saved?.width === place.width && saved?.height === place.height ? saved : undefined;
    });
    assert.deepEqual(kept, place);
    const workspace = (await windowOf(opened().workspace)).bounds;

    await opened().quit();
    app = await launch();
    const messenger = await waitFor('the Messenger back in its place', async () => {
      const { bounds } = await windowOf(opened().messenger);
      return bounds.width === place.width ? bounds : undefined;
    });
    assert.deepEqual(messenger, place);
    assert.deepEqual((await windowOf(opened().workspace)).bounds, workspace);
  });
});
