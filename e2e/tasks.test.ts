import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startTestPortal, type TestPortal } from '../packages/portal/test/harness.ts';
import { oauthClient } from '../packages/portal/test/sdkClient.ts';
import { restAs, signInAs } from '../packages/portal/test/tokens.ts';
import { type DesktopApp, launchDesktop, SCREENSHOTS, waitFor } from './desktopApp.ts';
import { cutOff } from './portalCutOff.ts';

let portal: TestPortal;
let app: DesktopApp;
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-e2e-tasks-'));

before(async () => {
  portal = await startTestPortal();
  app = await launchDesktop(profileDir);
});
after(async () => {
  await app?.quit();
  await portal?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

const address = (name: string) => `${name}.localhost:${portal.port}`;
const panel = (page: Page) => page.getByRole('tabpanel');
const tasksOf = (page: Page) => panel(page).getByRole('region', { name: 'Tasks', exact: true });

async function signIn(page: Page, name: string) {
  const form = panel(page).filter({ has: page.getByRole('textbox', { name: 'Bitrix24 address' }) });
  await form.getByRole('textbox', { name: 'Bitrix24 address' }).fill(address(name));
  await form.getByRole('textbox', { name: 'Login' }).fill('anna@example.com');
  await form.getByLabel('Password', { exact: true }).fill('multidesk-demo');
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
}

/** Waits for the window's title; a timeout says which title it has instead, and what each tab says. */
async function titleBecomes(page: Page, title: string): Promise<void> {
  try {
    await page.waitForFunction((expected) => document.title === expected, title);
  } catch (error) {
    const tabs = await page.getByRole('tab').evaluateAll((all) => all.map((tab) => tab.getAttribute('aria-label') ?? tab.textContent));
    throw new Error(`the title stayed ${JSON.stringify(await page.title())}, not ${JSON.stringify(title)}; tabs: ${tabs.join(' | ')}`, {
      cause: error,
    });
  }
}

/** A task as ben sees it on acme through plain Bitrix24 REST (his own OAuth token). */
function asBen(method: string, params: Record<string, unknown>): Promise<any> {
  return restAs(portal, 'acme', 'ben@example.com', method, params);
}

describe('desktop: tasks of every account and My tasks', () => {
  test('anna signs in to acme, globex and initech; My tasks is the first tab', async () => {
    const page = app.workspace;
    await page.getByRole('textbox', { name: 'Bitrix24 address' }).waitFor();
    for (const [index, name] of ['acme', 'globex', 'initech'].entries()) {
      if (index > 0) await page.getByRole('button', { name: 'Add Bitrix24' }).click();
      await signIn(page, name);
    }
    await page.getByRole('tab', { name: /^Initech/, selected: true }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Accounts' }).getByRole('tab');
    assert.match((await tabs.first().getAttribute('aria-label')) ?? '', /^My tasks/);
    assert.equal(await tabs.count(), 4);
  });

  test('unread counts from every portal show on the tabs, in the account list and in both window titles, live', async () => {
    const page = app.workspace;
    // The demo leaves anna 3 unread on acme, 5 on globex and 2 on initech.
    await titleBecomes(page, '(10) Multidesk');
    await page.getByRole('tab', { name: /^Acme Corp.*3 unread/ }).waitFor();
    await titleBecomes(app.messenger, '(10) Messenger — Multidesk');
    const { user_id: annaId } = await signInAs(portal, 'acme', 'anna@example.com');
    await asBen('im.message.add', { DIALOG_ID: annaId, MESSAGE: 'One more thing about the budget' });
    await page.getByRole('tab', { name: /^Acme Corp.*4 unread/ }).waitFor();
    await titleBecomes(page, '(11) Multidesk');
  });

  test("an account's Tasks: anna's open tasks, soonest deadline first, filters and Mine / All I can see", async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+1');
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    const tasks = tasksOf(page);
    const list = tasks.getByRole('list', { name: 'Tasks' });
    await list.getByRole('button', { name: 'Approve the Q4 marketing budget' }).waitFor();
    assert.equal(await tasks.getByRole('radio', { name: 'Mine' }).isChecked(), true);
    assert.equal(await tasks.getByRole('radio', { name: 'In progress' }).isChecked(), true);
    const titles = await list.getByRole('listitem').getByRole('button').allInnerTexts();
    assert.deepEqual(
      titles.map((t) => t.replace(/^!\s*/, '').trim()),
      ['Approve the Q4 marketing budget', 'Review the new landing page mock-ups', 'Plan the sprint retrospective'],
      'overdue first, then by deadline; only anna is responsible',
    );
    const overdueRow = list.getByRole('listitem').filter({ hasText: 'Approve the Q4 marketing budget' });
    assert.match((await overdueRow.textContent()) ?? '', /Overdue/);
    assert.match((await overdueRow.textContent()) ?? '', /High priority/);

    await tasks.getByRole('radio', { name: 'Completed' }).check();
    await list.getByRole('button', { name: 'Update the customer onboarding checklist' }).waitFor();
    await tasks.getByRole('radio', { name: 'Overdue' }).check();
    await list.getByRole('button', { name: 'Approve the Q4 marketing budget' }).waitFor();
    assert.equal(await list.getByRole('listitem').count(), 1);
    await tasks.getByRole('radio', { name: 'All I can see' }).check();
    await list.getByRole('button', { name: 'Fix the checkout timeout on mobile' }).waitFor();
    await tasks.getByRole('radio', { name: 'In progress' }).check();
    await tasks.getByRole('radio', { name: 'Mine' }).check();
    await list.getByRole('button', { name: 'Plan the sprint retrospective' }).waitFor();
    await tasks.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-tasks.png') });
  });

  test('an answer for a filter left before it came does not replace the list shown (Mine, All, Mine again)', async () => {
    const page = app.workspace;
    const tasks = tasksOf(page);
    const list = tasks.getByRole('list', { name: 'Tasks' });
    const titles = async () =>
      (await list.getByRole('listitem').getByRole('button').allInnerTexts()).map((t) => t.replace(/^!\s*/, '').trim());
    const mine = ['Approve the Q4 marketing budget', 'Review the new landing page mock-ups', 'Plan the sprint retrospective'];
    assert.deepEqual(await titles(), mine);
    // All's list is asked for and its answer held until Mine is shown again; Mine's own answer is
    // current then, so nothing is asked for Mine and nothing would supersede All's late answer.
    let sawAll!: () => void;
    const allAsked = new Promise<void>((resolve) => (sawAll = resolve));
    let releaseAll!: () => void;
    const allReleased = new Promise<void>((resolve) => (releaseAll = resolve));
    const isAll = (body: { mine?: boolean } | null) => body?.mine === false;
    await page.route('**/api/tasks/list', async (route) => {
      if (isAll(route.request().postDataJSON())) {
        sawAll();
        await allReleased;
      }
      await route.continue();
    });
    try {
      await tasks.getByRole('radio', { name: 'All I can see' }).check();
      await allAsked;
      await tasks.getByRole('radio', { name: 'Mine' }).check();
      await list.getByRole('button', { name: 'Plan the sprint retrospective' }).waitFor();
      const allAnswered = page.waitForResponse(
        (response) => response.url().endsWith('/api/tasks/list') && isAll(response.request().postDataJSON()),
      );
      releaseAll();
      await allAnswered;
      // Let the page take the answer in (a task and a render), then look.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(await titles(), mine, "All's late answer is dropped: Mine's list stays");
      assert.equal(await tasks.getByRole('radio', { name: 'Mine' }).isChecked(), true);
    } finally {
      releaseAll();
      await page.unroute('**/api/tasks/list');
    }
  });

  test("a tab switch leaves the Tasks controls of the tabs it hides and shows as they are (React DOM rewrote the radios' name and type)", async () => {
    const page = app.workspace;
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { controlChanges: string[] }).controlChanges = seen;
      new MutationObserver((records) => {
        for (const record of records) {
          const target = record.target as Element;
          if (target.closest?.('.task-toolbar')) seen.push(`${target.tagName.toLowerCase()} ${record.attributeName ?? record.type}`);
        }
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    for (const key of ['Control+2', 'Control+1', 'Control+3', 'Control+1']) {
      await page.keyboard.press(key);
      // The list shown again is refreshed within 300 ms of the switch (useLoader): let that render too.
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    assert.deepEqual(await page.evaluate(() => (window as unknown as { controlChanges: string[] }).controlChanges), []);
  });

  test('My tasks (Ctrl+0) lists the open tasks of all three accounts, marked by account, overdue first', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+0');
    await page.getByRole('tab', { name: /^My tasks/, selected: true }).waitFor();
    const list = panel(page).getByRole('list', { name: 'Open tasks' });
    await list.getByRole('button', { name: 'Reconcile the October expense reports' }).waitFor();
    const rows = list.getByRole('listitem');
    const texts = await rows.allInnerTexts();
    for (const title of ['Acme Corp', 'Globex', 'Initech']) {
      assert.ok(
        texts.some((t) => t.includes(title) && t.includes('Anna Smirnova')),
        `a task of ${title} marked with the account`,
      );
    }
    const overdue = texts.map((t) => /Overdue/.test(t));
    const firstNotOverdue = overdue.indexOf(false);
    assert.ok(firstNotOverdue > 0, 'overdue tasks come first');
    assert.ok(
      overdue.slice(firstNotOverdue).every((o) => !o),
      'and only first',
    );
    assert.ok(!texts.some((t) => /Translate the price list|Renew the office printer/.test(t)), 'completed tasks are not in My tasks');
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-my-tasks.png') });
    // Ctrl+1…9 still count the accounts, Ctrl+Tab passes My tasks too.
    await page.keyboard.press('Control+2');
    await page.getByRole('tab', { name: /^Globex/, selected: true }).waitFor();
    await page.keyboard.press('Control+Shift+Tab');
    await page.keyboard.press('Control+Shift+Tab');
    await page.getByRole('tab', { name: /^My tasks/, selected: true }).waitFor();
  });

  test('a task opened from My tasks shows in its account tab; Complete there is status 5 for ben through the official SDK', async () => {
    const page = app.workspace;
    const title = 'Approve the Q4 marketing budget';
    const row = panel(page).getByRole('list', { name: 'Open tasks' }).getByRole('button', { name: title });
    await row.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: /^Acme Corp/, selected: true }).waitFor();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    await dialog.getByText('Ben collected the numbers in the shared sheet.').waitFor();
    await dialog.getByText('Ben Carter').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-task-detail.png') });
    const id = Number((await asBen('tasks.task.list', { filter: { TITLE: title } })).tasks[0].id);

    await dialog.getByRole('button', { name: 'Complete' }).click();
    await dialog.getByRole('button', { name: 'Renew' }).waitFor();
    assert.match((await dialog.textContent()) ?? '', /Completed/);
    // Ben's side through the official Bitrix24 SDK.
    const ben = oauthClient(await signInAs(portal, 'acme', 'ben@example.com'));
    const seen = await ben.actions.v2.call.make({ method: 'tasks.task.get', params: { taskId: id } });
    assert.ok(seen.isSuccess, seen.getErrorMessages().join('; '));
    assert.equal((seen.getData()!.result as { task: { status: string } }).task.status, '5');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const list = tasksOf(page).getByRole('list', { name: 'Tasks' });
    await list.getByRole('button', { name: title }).waitFor({ state: 'detached' });

    await page.keyboard.press('Control+0');
    await panel(page).getByRole('list', { name: 'Open tasks' }).getByRole('button', { name: title }).waitFor({ state: 'detached' });
  });

  test('Renew brings a completed task back', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+1');
    const tasks = tasksOf(page);
    await tasks.getByRole('radio', { name: 'Completed' }).check();
    const title = 'Approve the Q4 marketing budget';
    await tasks.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: title }).click();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.getByRole('button', { name: 'Renew' }).click();
    await dialog.getByRole('button', { name: 'Complete' }).waitFor();
    const id = Number((await asBen('tasks.task.list', { filter: { TITLE: title } })).tasks[0].id);
    assert.notEqual(String((await asBen('tasks.task.get', { taskId: id })).task.status), '5');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await tasks.getByRole('radio', { name: 'In progress' }).check();
  });

  test('Ctrl+2 with a task open: its dialog closes and the focus is on the tab chosen; Ctrl+1 shows the task again', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+1');
    const tasks = tasksOf(page);
    const title = 'Review the new landing page mock-ups';
    await tasks.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: title }).click();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    // The open modal keeps the tab strip inert until the switch closes it.
    await page.keyboard.press('Control+2');
    const globex = page.getByRole('tab', { name: /^Globex/, selected: true });
    await globex.waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await waitFor('the focus on the Globex tab', async () => (await globex.evaluate((el) => el === document.activeElement)) || undefined);
    await page.keyboard.press('Control+1');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('New task: the form checks the title, and the task created appears for its responsible', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+1');
    const tasks = tasksOf(page);
    await tasks.getByRole('button', { name: 'New task' }).click();
    const form = page.getByRole('dialog', { name: 'New task' });
    await form.waitFor();
    const titleBox = form.getByRole('textbox', { name: 'Title' });
    assert.ok(await titleBox.evaluate((el) => el === document.activeElement), 'the title has the focus');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Enter a title.').waitFor();

    const title = 'Call the auditors about the Q4 numbers';
    await titleBox.fill(title);
    await form.getByRole('textbox', { name: 'Description' }).fill('<b>Not HTML</b>\nSecond line.');
    const responsible = form.getByRole('combobox', { name: 'Responsible' });
    assert.match((await responsible.locator('option:checked').textContent()) ?? '', /Anna Smirnova \(me\)/);
    await responsible.selectOption({ label: 'Ben Carter' });
    // The portal's own refusal shows inline, word for word.
    await form.getByLabel('Deadline').fill('1899-12-31T10:00');
    await form.getByRole('button', { name: 'Create' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /DEADLINE.*ISO 8601/ })
      .waitFor();
    await form.getByLabel('Deadline').fill('2031-03-14T15:30');
    await form.getByRole('combobox', { name: 'Priority' }).selectOption({ label: 'High' });
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-task-form.png') });
    await form.getByRole('button', { name: 'Create' }).click();

    const detail = page.getByRole('dialog', { name: title });
    await detail.getByRole('button', { name: 'Edit' }).waitFor();
    await detail.getByText('<b>Not HTML</b>', { exact: false }).waitFor();
    const found = (await asBen('tasks.task.list', { filter: { RESPONSIBLE_ID: await benId() } })).tasks as any[];
    const created = found.find((t) => t.title === title);
    assert.ok(created, `ben sees the new task: ${found.map((t) => t.title).join(' | ')}`);
    assert.equal(String(created.priority), '2');
    const offset = -new Date('2031-03-14T15:30').getTimezoneOffset();
    assert.equal(
      Date.parse(created.deadline),
      Date.parse('2031-03-14T15:30:00Z') - offset * 60_000,
      'the deadline is the local time entered',
    );

    // Edit reuses the form, with Save; only what changed is sent.
    await detail.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit task' });
    await edit.getByRole('combobox', { name: 'Priority' }).selectOption({ label: 'Low' });
    await edit.getByRole('button', { name: 'Save' }).click();
    await detail.getByRole('button', { name: 'Edit' }).waitFor();
    assert.equal(String((await asBen('tasks.task.get', { taskId: Number(created.id) })).task.priority), '0');
    await detail.getByRole('button', { name: 'Close' }).click();
    await tasks.getByRole('radio', { name: 'All I can see' }).check();
    await tasks.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: title }).waitFor();
    await tasks.getByRole('radio', { name: 'Mine' }).check();
  });

  test('a task ben creates for anna appears in My tasks live, with no click', async () => {
    const page = app.workspace;
    await page.keyboard.press('Control+0');
    await page.getByRole('tab', { name: /^My tasks/, selected: true }).waitFor();
    const { user_id: annaId } = await signInAs(portal, 'acme', 'anna@example.com');
    await asBen('tasks.task.add', { fields: { TITLE: 'Live from Ben: check the invoice', RESPONSIBLE_ID: annaId } });
    await panel(page).getByText('Live from Ben: check the invoice').waitFor({ timeout: 15_000 });
  });

  test('a tab shown again asks for its tasks only when a change was reported while it was hidden', async () => {
    const page = app.workspace;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 600));
    const asked = () =>
      page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/api/tasks/list')).length);
    // Both tabs shown once (a list a minute old is asked for again), then counted from zero.
    for (const key of ['Control+1', 'Control+2', 'Control+1']) {
      await page.keyboard.press(key);
      await pause();
    }
    await page.evaluate(() => {
      performance.setResourceTimingBufferSize(1000);
      performance.clearResourceTimings();
    });
    for (const key of ['Control+2', 'Control+1']) {
      await page.keyboard.press(key);
      await pause();
    }
    assert.equal(await asked(), 0, 'nothing changed: the lists shown again are the ones kept');

    // A task for anna while her acme tab is hidden: My tasks shows it live, then acme's tab asks again.
    await page.keyboard.press('Control+0');
    const { user_id: annaId } = await signInAs(portal, 'acme', 'anna@example.com');
    await asBen('tasks.task.add', { fields: { TITLE: 'Seen in the acme tab when shown again', RESPONSIBLE_ID: annaId } });
    await panel(page).getByText('Seen in the acme tab when shown again').waitFor({ timeout: 15_000 });
    await page.keyboard.press('Control+1');
    await tasksOf(page)
      .getByRole('list', { name: 'Tasks' })
      .getByRole('button', { name: 'Seen in the acme tab when shown again' })
      .waitFor();
    assert.equal(await asked(), 1);
  });

  test('an unreachable portal shows its saved tasks, marked stale, while the others stay live', async () => {
    const page = app.workspace;
    const restore = cutOff(portal, address('globex'));
    try {
      await page.keyboard.press('Control+0');
      await panel(page).getByRole('button', { name: 'Refresh' }).click();
      const list = panel(page).getByRole('list', { name: 'Open tasks' });
      const globexRow = list.getByRole('listitem').filter({ hasText: 'Check the warehouse stock report' });
      await globexRow.getByText('stale').waitFor({ timeout: 20_000 });
      await panel(page)
        .getByText(/Showing saved tasks of Globex \(Anna Smirnova\) from/)
        .waitFor();
      const acmeRow = list.getByRole('listitem').filter({ hasText: 'Review the new landing page mock-ups' });
      assert.equal(await acmeRow.getByText('stale').count(), 0, 'acme stays live');
      await page.screenshot({ path: join(SCREENSHOTS, 'workspace-my-tasks-stale.png') });

      // The account's own tab says the same of its list, and still lists the saved tasks.
      await page.keyboard.press('Control+2');
      await page.getByRole('tab', { name: /^Globex/, selected: true }).waitFor();
      await tasksOf(page)
        .getByText(/Showing saved tasks from .*\. Cannot reach the portal/)
        .waitFor({ timeout: 20_000 });
      await tasksOf(page).getByRole('button', { name: 'Check the warehouse stock report' }).waitFor();
    } finally {
      restore();
    }
    await page.keyboard.press('Control+0');
    await panel(page).getByRole('button', { name: 'Refresh' }).click();
    await panel(page)
      .getByText(/Showing saved tasks of Globex/)
      .waitFor({ state: 'detached', timeout: 20_000 });
    // Back in globex's tab, the portal is asked again and the notices go.
    await page.keyboard.press('Control+2');
    await panel(page)
      .getByText(/Cannot reach the portal/)
      .first()
      .waitFor({ state: 'detached', timeout: 20_000 });
  });

  test('at 800x600 both views stay readable', async () => {
    const page = app.workspace;
    await page.setViewportSize({ width: 800, height: 600 });
    try {
      await page.keyboard.press('Control+0');
      await panel(page).getByRole('list', { name: 'Open tasks' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'workspace-my-tasks-800.png') });
      await page.keyboard.press('Control+1');
      await tasksOf(page).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'workspace-tasks-800.png') });
      const row = tasksOf(page).getByRole('button', { name: 'Review the new landing page mock-ups' });
      await row.click();
      const dialog = page.getByRole('dialog', { name: 'Review the new landing page mock-ups' });
      await dialog.waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'workspace-task-detail-800.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.ok(await row.evaluate((el) => el === document.activeElement), 'the focus is back on the task that was opened');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});

async function benId(): Promise<number> {
  const { user_id } = await signInAs(portal, 'acme', 'ben@example.com');
  return Number(user_id);
}
