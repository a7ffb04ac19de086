import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Core, openCore } from '../src/core/core.ts';
import { autostartEntry, autostartFile } from '../src/core/preferences/autostart.ts';
import { systemLocale } from '../src/core/preferences/systemLocale.ts';
import { DEFAULT_SETTINGS, SETTINGS_VERSION, SettingsStore } from '../src/core/settings.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-settings-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function openTestCore(profileDir: string, env: NodeJS.ProcessEnv = {}): Promise<Core> {
  return openCore({
    profileDir,
    vault: new MemoryVault(),
    device: { name: 'Multidesk test', os: 'Linux test', appVersion: '0.0.0' },
    env,
    launchCommand: ['/opt/Multi Desk/multidesk', '--profile', join(profileDir, 'a "quoted" dir')],
  });
}

const ACCOUNTS = {
  version: 1,
  accounts: [
    {
      id: 'acc1-0000',
      portalUrl: 'http://acme.localhost:8024',
      portalTitle: 'Acme Corp',
      userId: 1,
      userName: 'Anna',
      login: 'anna@example.com',
      state: 'disconnected',
      addedAt: 1,
    },
  ],
};

describe('settings file', () => {
  test('a version 1 file keeps its choices and gets the new ones at their defaults; the next write is version 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ version: 1, networkUrl: 'http://net.localhost:9000', appRedirectPort: 4321 }));
    const store = new SettingsStore(file);
    await store.load();
    assert.deepEqual(store.get(), { ...DEFAULT_SETTINGS, networkUrl: 'http://net.localhost:9000', appRedirectPort: 4321 });
    assert.equal(store.notice, undefined, 'a migration is not a problem');
    await store.update({ language: 'ru' });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(written.version, SETTINGS_VERSION);
    assert.equal(written.networkUrl, 'http://net.localhost:9000');
    assert.equal(written.language, 'ru');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('a field a hand edit broke takes its default; the others stay', async () => {
    const dir = tempDir();
    const file = join(dir, 'settings.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 2,
        networkUrl: 'http://n.localhost',
        language: 'klingon',
        sound: false,
        windows: { workspace: { left: 1, top: 2, width: 5, height: 600 }, messenger: { left: 10, top: 20, width: 900, height: 700 } },
      }),
    );
    const store = new SettingsStore(file);
    await store.load();
    const settings = store.get();
    assert.equal(settings.language, 'system');
    assert.equal(settings.sound, false);
    assert.equal(settings.networkUrl, 'http://n.localhost');
    assert.deepEqual(settings.windows, { messenger: { left: 10, top: 20, width: 900, height: 700 } }, 'a 5 px wide window is not kept');
  });

  test('a corrupted file gives the defaults and says so; the accounts are untouched and a copy of the file is kept', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify(ACCOUNTS));
    writeFileSync(join(dir, 'settings.json'), '{"version": 2, "networkUrl": "http://x');
    const core = await openTestCore(dir);
    try {
      const state = core.state();
      assert.equal(state.settingsNotice, 'reset');
      assert.deepEqual(
        state.accounts.map((a) => [a.id, a.portalTitle, a.state]),
        [['acc1-0000', 'Acme Corp', 'disconnected']],
      );
      assert.deepEqual(core.settings.get(), DEFAULT_SETTINGS);
      assert.equal(core.preferences.view().notice, 'reset');
      assert.equal(readFileSync(join(dir, 'settings.json.unreadable'), 'utf8'), '{"version": 2, "networkUrl": "http://x');
      // Seen in the Settings screen: no longer said; a change writes a good file.
      core.settings.dismissNotice();
      assert.equal(core.state().settingsNotice, undefined);
      await core.preferences.update({ sound: false });
      assert.equal(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).sound, false);
    } finally {
      await core.close();
    }
    const again = await openTestCore(dir);
    try {
      assert.equal(again.state().settingsNotice, undefined);
      assert.equal(again.settings.get().sound, false);
    } finally {
      await again.close();
    }
  });

  test('a missing file is a first start, not a problem', async () => {
    const core = await openTestCore(tempDir());
    try {
      assert.equal(core.state().settingsNotice, undefined);
      assert.equal(core.state().locale, 'en');
    } finally {
      await core.close();
    }
  });
});

describe('language', () => {
  test('LC_ALL, then LC_MESSAGES, then LANG; anything but Russian is English', () => {
    assert.equal(systemLocale({ LANG: 'ru_RU.UTF-8' }), 'ru');
    assert.equal(systemLocale({ LANG: 'ru' }), 'ru');
    assert.equal(systemLocale({ LANG: 'en_US.UTF-8' }), 'en');
    assert.equal(systemLocale({ LANG: 'de_DE.UTF-8' }), 'en');
    assert.equal(systemLocale({ LANG: 'C' }), 'en');
    assert.equal(systemLocale({ LANG: 'rub' }), 'en');
    assert.equal(systemLocale({}), 'en');
    assert.equal(systemLocale({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'ru_RU.UTF-8' }), 'ru');
    assert.equal(systemLocale({ LANG: 'ru_RU.UTF-8', LC_MESSAGES: 'ru_RU.UTF-8', LC_ALL: 'C' }), 'en');
    assert.equal(systemLocale({ LANG: 'ru_RU.UTF-8', LC_ALL: '' }), 'ru', 'an empty variable is unset');
  });

  test('the windows speak the chosen language, or the system one', async () => {
    const core = await openTestCore(tempDir(), { LANG: 'ru_RU.UTF-8' });
    try {
      assert.equal(core.state().locale, 'ru');
      assert.equal(core.preferences.view().systemLocale, 'ru');
      await core.preferences.update({ language: 'en' });
      assert.equal(core.state().locale, 'en');
      await core.preferences.update({ language: 'system' });
      assert.equal(core.state().locale, 'ru');
    } finally {
      await core.close();
    }
  });
});

describe('start at login', () => {
  test('writes an XDG autostart entry under XDG_CONFIG_HOME running the launch command, and removes it when turned off', async () => {
    const profile = tempDir();
    const config = tempDir();
    const core = await openTestCore(profile, { XDG_CONFIG_HOME: config });
    const entry = join(config, 'autostart', 'multidesk.desktop');
    try {
      assert.equal(core.preferences.view().autostartFile, entry);
      const view = await core.preferences.update({ startAtLogin: true });
      assert.equal(view.settings.startAtLogin, true);
      const text = readFileSync(entry, 'utf8');
      assert.match(text, /^\[Desktop Entry\]\nType=Application\nName=Multidesk\n/);
      const exec = /^Exec=(.*)$/m.exec(text)?.[1];
      assert.equal(exec, `"/opt/Multi Desk/multidesk" --profile "${profile}/a \\\\"quoted\\\\" dir"`);
      await core.preferences.update({ startAtLogin: false });
      assert.equal(existsSync(entry), false);
    } finally {
      await core.close();
    }
  });

  test('without XDG_CONFIG_HOME the entry goes to ~/.config/autostart', () => {
    assert.equal(autostartFile({ HOME: '/home/u' }).endsWith('/.config/autostart/multidesk.desktop'), true);
    assert.match(autostartEntry(['/usr/bin/multidesk']), /^Exec=\/usr\/bin\/multidesk$/m);
  });
});
