/**
 * The Debian package (`npm run package`) as a user gets it: installed with dpkg as root (CI), or,
 * without root, unpacked with dpkg-deb into a folder (its launcher finds the app beside itself).
 * The `multidesk` command opens both windows, a second start brings them forward and exits, a
 * SIGKILLed instance blocks no later start, and with no browser it says which to install.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort, waitFor } from './desktopApp.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages/desktop/package.json'), 'utf8')) as { version: string }).version;
const DEB = join(ROOT, `dist/multidesk_${VERSION}_amd64.deb`);
/** Root installs it; MULTIDESK_PACKAGE_UNPACKED=1 tests the unpacked way even then. */
const AS_ROOT = process.getuid?.() === 0 && process.env.MULTIDESK_PACKAGE_UNPACKED !== '1';
const work = mkdtempSync(join(tmpdir(), 'multidesk-package-'));
/** Where the package's files are: / once installed, else the folder it was unpacked into. */
const tree = AS_ROOT ? '/' : join(work, 'tree');
const command = join(tree, 'usr/bin/multidesk');
let installedHere = false;

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Starts `multidesk` on a profile and waits for both windows (over the DevTools port it passes on). */
async function startApp(profile: string): Promise<{ run: Run; port: number; pages(): Promise<string[]> }> {
  const port = await freePort();
  const app = run(['--profile', profile, '--vault', 'file', '--remote-debugging-port', String(port)]);
  const pages = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/json/list`);
    const targets = (await response.json()) as { type: string; url: string }[];
    return targets.filter((t) => t.type === 'page').map((t) => new URL(t.url).pathname);
  };
  await waitFor(
    'both windows',
    async () => {
      if (app.child.exitCode !== null) throw new Error(`multidesk exited early: ${app.output()}`);
      const open = await pages();
      return open.includes('/workspace') && open.includes('/messenger') ? true : undefined;
    },
    40_000,
  ).catch((error: Error) => {
    app.child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- multidesk output ---\n${app.output()}`);
  });
  return { run: app, port, pages };
}

async function quit(app: Run): Promise<void> {
  if (app.child.exitCode === null) app.child.kill('SIGINT');
  await app.exited;
}

before(() => {
  // The app itself is built by the test command already; this builds only the package (gzip: quick).
  execFileSync(process.execPath, [join(ROOT, 'scripts/packaging/buildDeb.ts'), '--fast'], { cwd: ROOT, stdio: 'pipe' });
  assert.ok(existsSync(DEB));
  if (AS_ROOT) {
    execFileSync('dpkg', ['-i', DEB], { stdio: 'pipe' });
    installedHere = true;
  } else {
    execFileSync('dpkg-deb', ['-x', DEB, tree]);
  }
});

after(() => {
  if (installedHere) execFileSync('dpkg', ['-r', 'multidesk'], { stdio: 'pipe' });
  rmSync(work, { recursive: true, force: true });
});

describe('the Debian package', () => {
  if (!AS_ROOT)
    test('is installed with dpkg -i', {
      skip: 'not root (or MULTIDESK_PACKAGE_UNPACKED=1): tested unpacked with dpkg-deb -x instead',
    }, () => {});

  test('says what it is and needs, and lays out the command, the menu entry and the icons', () => {
    const field = (name: string) => execFileSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).trim();
    assert.equal(field('Package'), 'multidesk');
    assert.equal(field('Version'), VERSION);
    assert.equal(field('Architecture'), 'amd64');
    assert.match(field('Depends'), /^chromium \| google-chrome-stable \| microsoft-edge-stable/);
    assert.ok(Number(field('Installed-Size')) > 100_000);
    if (AS_ROOT) assert.match(execFileSync('dpkg', ['-s', 'multidesk'], { encoding: 'utf8' }), /Status: install ok installed/);

    const entry = readFileSync(join(tree, 'usr/share/applications/multidesk.desktop'), 'utf8');
    for (const line of [
      'Name=Multidesk',
      'Exec=multidesk %U',
      'Icon=multidesk',
      'Categories=Network;InstantMessaging;Office;',
      'StartupWMClass=Multidesk',
    ]) {
      assert.ok(entry.split('\n').includes(line), `${line} in\n${entry}`);
    }
    const icons = join(tree, 'usr/share/icons/hicolor');
    assert.ok(existsSync(join(icons, 'scalable/apps/multidesk.svg')));
    for (const size of [16, 22, 24, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(join(icons, `${size}x${size}/apps/multidesk.png`));
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [size, size], `the ${size} px icon`);
    }
    // Only what the one-file core loads at run time: the native keyring, and it loads on the bundled Node.
    assert.deepEqual(readdirSync(join(tree, 'usr/lib/multidesk/node_modules/@napi-rs')).sort(), ['keyring', 'keyring-linux-x64-gnu']);
    const node = join(tree, 'usr/lib/multidesk/bin/node');
    const loaded = execFileSync(
      node,
      [
        '-p',
        `process.version + ' ' + typeof require(${JSON.stringify(join(tree, 'usr/lib/multidesk/node_modules/@napi-rs/keyring'))}).Entry`,
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.match(loaded, /^v24\.\S+ function/);
  });

  test("multidesk --version prints the version; the core's compiled code is kept in the user's cache, not where the package was built", async () => {
    const home = join(work, 'home-version');
    mkdirSync(home);
    const { XDG_CACHE_HOME: _, ...env } = process.env;
    const version = run(['--version'], { ...env, HOME: home });
    assert.equal(await version.exited, 0, version.output());
    assert.equal(version.output().trim(), VERSION);
    const cache = join(home, '.cache/multidesk/compile-cache');
    assert.ok(existsSync(cache) && readdirSync(cache).length > 0, `a compile cache in ${cache}`);
    assert.ok(!readFileSync(command, 'utf8').includes(ROOT), 'the launcher names no path of the build');
  });

  test('multidesk opens both windows; a second start brings them forward and exits 0 at once', async () => {
    const profile = join(work, 'profile-second');
    const first = await startApp(profile);
    try {
      const started = Date.now();
      const second = run(['--profile', profile]);
      assert.equal(await second.exited, 0, second.output());
      const took = Date.now() - started;
      assert.ok(took < 10_000, `the second start took ${took} ms`);
      assert.match(second.output(), /already running .*brought forward/);
      await waitFor('the first instance to hear of it', async () =>
        first.run.output().includes('brought the windows forward') ? true : undefined,
      );
      // Brought forward, not opened again.
      assert.deepEqual((await first.pages()).sort(), ['/messenger', '/workspace']);
      // Playwright sees the same two windows as the user.
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${first.port}`);
      const titles = await Promise.all(browser.contexts().flatMap((c) => c.pages().map((p) => p.title())));
      assert.equal(titles.length, 2);
      await browser.close();
    } finally {
      await quit(first.run);
    }
  });

  test('an instance killed with SIGKILL takes its windows along and leaves no lock that blocks', async () => {
    const profile = join(work, 'profile-stale');
    const crashed = await startApp(profile);
    crashed.run.child.kill('SIGKILL');
    await crashed.run.exited;
    assert.ok(existsSync(join(profile, 'instance.lock')), 'the crash left its lock behind');
    // The browser's DevTools pipe closed with the core: the browser quits too.
    await waitFor(
      'the crashed instance’s browser to quit',
      async () =>
        await fetch(`http://127.0.0.1:${crashed.port}/json/version`)
          .then(() => undefined)
          .catch(() => true),
      15_000,
    );
    const again = await startApp(profile);
    assert.match(again.run.output(), /Multidesk is running/);
    await quit(again.run);
    assert.equal(await again.run.exited, 0);
  });

  test('with no Chromium-family browser it says in one line which to install, and exits non-zero', async () => {
    const emptyPath = join(work, 'no-browsers');
    mkdirSync(emptyPath, { recursive: true });
    const attempt = spawnSync(command, ['--profile', join(work, 'profile-none')], {
      env: { PATH: emptyPath, HOME: work, DISPLAY: ':99' },
      encoding: 'utf8',
    });
    assert.equal(attempt.status, 3);
    assert.equal(attempt.stdout, '');
    const lines = attempt.stderr.trim().split('\n');
    assert.equal(lines.length, 1, attempt.stderr);
    assert.match(lines[0] ?? '', /^multidesk: .*Chromium.*apt-get install chromium/);
  });
});

describe('the install for one user (npm run install:user)', () => {
  test('puts multidesk in ~/.local/bin with its menu entry and icons, and uninstall:user takes them away', () => {
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home, XDG_DATA_HOME: '' };
    const script = join(ROOT, 'scripts/packaging/userInstall.ts');
    execFileSync(process.execPath, [script, 'install'], { env, stdio: 'pipe' });
    const userCommand = join(home, '.local/bin/multidesk');
    assert.equal(execFileSync(userCommand, ['--version'], { env, encoding: 'utf8' }).trim(), VERSION);
    const entry = readFileSync(join(home, '.local/share/applications/multidesk.desktop'), 'utf8');
    assert.ok(entry.includes(`Exec=${userCommand} %U`), entry);
    assert.ok(existsSync(join(home, '.local/share/icons/hicolor/scalable/apps/multidesk.svg')));
    assert.ok(existsSync(join(home, '.local/lib/multidesk/dist/core/cli.cjs')));

    execFileSync(process.execPath, [script, 'uninstall'], { env, stdio: 'pipe' });
    for (const path of [userCommand, join(home, '.local/lib/multidesk'), join(home, '.local/share/applications/multidesk.desktop')]) {
      assert.equal(existsSync(path), false, `${path} is left`);
    }
    assert.deepEqual(
      readdirSync(join(home, '.local/share/icons/hicolor'), { recursive: true, withFileTypes: true })
        // The theme's own index, which gtk-update-icon-cache (where installed) refreshes, is not ours.
        .filter((e) => e.isFile() && e.name !== 'icon-theme.cache')
        .map((e) => e.name),
      [],
    );
  });
});
