import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { allowBridgeNotifications } from '../src/core/browser/notificationPermission.ts';

const PATTERN = 'http://127.0.0.1:*,*';
const preferences = (dir: string) => JSON.parse(readFileSync(join(dir, 'Default', 'Preferences'), 'utf8'));

test('a new browser profile lets the bridge notify, at any port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-browser-'));
  try {
    await allowBridgeNotifications(dir);
    assert.deepEqual(preferences(dir).profile.content_settings.exceptions.notifications, { [PATTERN]: { setting: 1 } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an existing profile keeps the rest of its settings, and the user's own choice wins", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-browser-'));
  try {
    mkdirSync(join(dir, 'Default'));
    const existing = { browser: { window_placement: { left: 10 } }, profile: { name: 'Person 1', content_settings: { exceptions: {} } } };
    writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify(existing));
    await allowBridgeNotifications(dir);
    const merged = preferences(dir);
    assert.equal(merged.browser.window_placement.left, 10);
    assert.equal(merged.profile.name, 'Person 1');
    assert.equal(merged.profile.content_settings.exceptions.notifications[PATTERN].setting, 1);

    // Blocked in the browser (setting 2): left as the user chose.
    merged.profile.content_settings.exceptions.notifications[PATTERN] = { setting: 2 };
    writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify(merged));
    await allowBridgeNotifications(dir);
    assert.equal(preferences(dir).profile.content_settings.exceptions.notifications[PATTERN].setting, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
