import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS } from './desktopApp.ts';

/**
 * The app without a mouse: every step is `keyboard.press` or `keyboard.type` (no click, no fill,
 * no focus() from the test). After each key the focus is on an element (never the page body) and
 * that element shows a focus ring: an outline on it or on the row that draws its ring
 * (`:has(:focus-visible)`), or a box-shadow of its own.
 */
let portal: TestPortal;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-keyboard-'));

before(async () => {
  portal = await startTestPortal();
  app = await launchDesktop(profileDir);
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

interface Focused {
  name: string;
  tag: string;
  ring: boolean;
}

/** The focused element: its name as a user hears it, and whether a focus ring is drawn for it. */
function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || el === document.documentElement) return null;
    const input = el as HTMLInputElement;
    const name = (el.getAttribute('aria-label') ?? (input.labels?.[0]?.textContent || null) ?? el.textContent ?? '').trim();
    const own = getComputedStyle(el);
    let ring = own.boxShadow !== 'none';
    // The element's own outline, or that of a row which draws the ring for it, a few levels up.
    for (let node: HTMLElement | null = el, depth = 0; node && depth < 4 && !ring; node = node.parentElement, depth++) {
      const style = getComputedStyle(node);
      ring = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
    }
    return { name, tag: el.tagName.toLowerCase(), ring: ring && el.matches(':focus-visible') };
  });
}

/** Asserts the focus is on an element with a visible focus ring, and returns it. */
async function visibleFocus(page: Page, step: string): Promise<Focused> {
  const now = await focused(page);
  assert.ok(now, `${step}: the focus is on an element, not the page`);
  assert.ok(now.ring, `${step}: the focused ${now.tag} "${now.name}" shows a focus ring`);
  return now;
}

/** One key, then the focus check. */
async function press(page: Page, key: string, step = key): Promise<Focused> {
  await page.keyboard.press(key);
  return visibleFocus(page, `${step} (${key})`);
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; every stop has a visible focus. */
async function tabTo(page: Page, name: string | RegExp, options: { back?: boolean; max?: number } = {}): Promise<void> {
  const key = options.back ? 'Shift+Tab' : 'Tab';
  const seen: string[] = [];
  for (let i = 0; i < (options.max ?? 25); i++) {
    const now = await press(page, key, `on the way to ${name}`);
    seen.push(now.name);
    if (typeof name === 'string' ? now.name === name : name.test(now.name)) return;
  }
  assert.fail(`${key} never reached ${name}; it went through: ${seen.join(' | ')}`);
}

/** The focus check after something the app did on its own (a tab opened, a dialog closed). */
async function settledFocus(page: Page, step: string, name?: string | RegExp): Promise<Focused> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const now = await focused(page);
    const named = now && (name === undefined || (typeof name === 'string' ? now.name === name : name.test(now.name)));
    if ((now?.ring && named) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const now = await visibleFocus(page, step);
  console.log(`${step}: the focus is on the ${now.tag} "${now.name}"`);
  if (name !== undefined)
    assert.ok(typeof name === 'string' ? now.name === name : name.test(now.name), `${step}: the focus is on "${now.name}"`);
  return now;
}

const address = (name: string) => `${name}.localhost:${portal.port}`;
const selectedTab = (page: Page) =>
  page.getByRole('tablist', { name: 'Accounts' }).getByRole('tab', { selected: true }).getAttribute('aria-label');

/** The sign-in form from its address field: type, Tab, type, Tab, type, Tab to Log in, Enter. */
async function signInFromAddress(page: Page, portalName: string): Promise<void> {
  await settledFocus(page, 'the new tab puts the focus in the address field', 'Bitrix24 address');
  await page.keyboard.type(address(portalName));
  await tabTo(page, 'Login');
  await page.keyboard.type('anna@example.com');
  await tabTo(page, 'Password');
  await page.keyboard.type('multidesk-demo');
  await tabTo(page, 'Log in');
  await press(page, 'Enter', 'Log in');
}

describe('desktop: everything with the keyboard only, and the focus always visible', () => {
  test('anna adds acme in the first tab and globex through + (Tab, Enter and typing only)', async () => {
    const page = app.workspace;
    await page.bringToFront();
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
    await signInFromAddress(page, 'acme');
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    await settledFocus(page, 'after the sign-in');

    // The new tab has the focus; + comes next in the strip.
    await tabTo(page, 'Add Bitrix24', { max: 3 });
    await press(page, 'Enter', '+');
    await signInFromAddress(page, 'globex');
    await page.getByRole('tab', { name: /^Globex/, selected: true }).waitFor();
    await settledFocus(page, 'after the second sign-in');
  });

  test('Ctrl+1 / Ctrl+2 switch tabs, and the arrow keys move along the tab strip', async () => {
    const page = app.workspace;
    await press(page, 'Control+1');
    assert.match((await selectedTab(page)) ?? '', /^Acme Corp/);
    await press(page, 'Control+2');
    assert.match((await selectedTab(page)) ?? '', /^Globex/);
    if (!/^Globex/.test((await focused(page))?.name ?? '')) await tabTo(page, /^Globex/, { back: true });
    await press(page, 'ArrowLeft');
    assert.match((await selectedTab(page)) ?? '', /^Acme Corp/);
    assert.match((await focused(page))?.name ?? '', /^Acme Corp/, 'the focus moves with the selection');
    await press(page, 'ArrowLeft');
    assert.match((await selectedTab(page)) ?? '', /^My tasks/);
    await press(page, 'End');
    assert.match((await selectedTab(page)) ?? '', /^Globex/);
    await press(page, 'Home');
    assert.match((await selectedTab(page)) ?? '', /^My tasks/);
    await press(page, 'ArrowRight');
    assert.match((await selectedTab(page)) ?? '', /^Acme Corp/);
    await page.screenshot({ path: join(SCREENSHOTS, 'keyboard-tab-focus.png') });
  });

  test('in the Messenger: Tab to the chat list, Enter on a chat, type, Enter sends', async () => {
    // The Messenger is its own window: bringing a window forward is the desktop's business (Alt+Tab),
    // so the test brings it to the front and then uses only the keyboard inside it.
    const messenger = app.messenger;
    await messenger.bringToFront();
    await messenger.getByRole('list', { name: 'Chats' }).waitFor();
    await tabTo(messenger, /^Acme team/);
    await press(messenger, 'Enter', 'open Acme team');
    const dialog = messenger.getByRole('region', { name: 'Acme team' });
    await dialog.getByRole('list', { name: 'Messages' }).getByText('Good morning! Stand-up moves to 10:30 today.').waitFor();
    const now = await focused(messenger);
    if (now?.name !== 'Message') await tabTo(messenger, 'Message');
    await messenger.keyboard.type('Sent without a mouse.');
    await press(messenger, 'Enter', 'send');
    await dialog.locator('.chat-message:not(.is-pending)', { hasText: 'Sent without a mouse.' }).waitFor();
    await messenger.screenshot({ path: join(SCREENSHOTS, 'keyboard-messenger.png') });
  });

  test('Disconnect and Delete globex through the account menu: the … button, arrow keys, Enter and the confirm dialog', async () => {
    const messenger = app.messenger;
    await tabTo(messenger, 'Accounts', { back: true });
    await press(messenger, 'Enter', 'open the account list');
    await messenger.getByRole('button', { name: 'More actions for Globex' }).waitFor();
    await settledFocus(messenger, 'the account list takes the focus');
    await tabTo(messenger, 'More actions for Globex', { max: 8 });
    await press(messenger, 'Enter', 'open the menu');
    await messenger.getByRole('menuitem', { name: 'Disconnect' }).waitFor();
    await settledFocus(messenger, 'the menu takes the focus');
    await moveInMenu(messenger, 'Disconnect');
    await messenger.screenshot({ path: join(SCREENSHOTS, 'keyboard-account-menu.png') });
    await press(messenger, 'Enter', 'Disconnect');
    await app.workspace.getByRole('tab', { name: /^Globex/ }).waitFor({ state: 'detached' });
    await messenger
      .getByText(/Disconnected/)
      .first()
      .waitFor();
    await settledFocus(messenger, 'the focus comes back to the … button', 'More actions for Globex');

    await press(messenger, 'Enter', 'open the menu again');
    await messenger.getByRole('menuitem', { name: 'Delete' }).waitFor();
    await settledFocus(messenger, 'the menu takes the focus again');
    await moveInMenu(messenger, 'Delete');
    await press(messenger, 'Enter', 'Delete…');
    const dialog = messenger.getByRole('dialog', { name: 'Delete Globex?' });
    await dialog.waitFor();
    await settledFocus(messenger, 'the dialog puts the focus on the safe choice', 'Cancel');
    await tabTo(messenger, 'Delete', { max: 4 });
    await messenger.screenshot({ path: join(SCREENSHOTS, 'keyboard-delete-dialog.png') });
    await messenger.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await messenger.getByRole('button', { name: 'More actions for Globex' }).waitFor({ state: 'detached' });
    await settledFocus(messenger, 'after the delete, the focus lands in the account list');
    assert.equal(await messenger.getByRole('button', { name: 'More actions for Acme Corp' }).count(), 1, 'acme stays');
  });
});

/** ArrowDown through the open menu until the item is focused. */
async function moveInMenu(page: Page, item: string): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 5; i++) {
    const now = await focused(page);
    if (now?.name === item) return;
    seen.push(now?.name ?? '(nothing)');
    await press(page, 'ArrowDown', `down to ${item}`);
  }
  assert.fail(`ArrowDown never reached ${item}: ${seen.join(' | ')}`);
}
