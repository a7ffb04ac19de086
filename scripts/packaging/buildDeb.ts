/**
 * `npm run package`: dist/multidesk_<version>_<arch>.deb, built with Debian's dpkg-deb. Installs
 * the app and its Node.js under /usr/lib/multidesk, the `multidesk` command in /usr/bin, a menu
 * entry and icons; needs a Chromium-family browser. The app is built first only when it is not
 * current. `-- --fast` compresses with gzip (about 6 s here, 45 MiB) instead of xz (about a
 * minute, 30 MiB): the same files, for tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  debianArchitecture,
  desktopEntry,
  ensureBuilt,
  hasIconRenderer,
  launcherScript,
  ROOT,
  stageApp,
  VERSION,
  writeIcons,
} from './layout.ts';

const APP_DIR = '/usr/lib/multidesk';
const COMMAND = '/usr/bin/multidesk';

function ensureIconRenderer(): void {
  if (hasIconRenderer()) return;
  if (process.getuid?.() !== 0) throw new Error('rsvg-convert renders the icons: sudo apt-get install librsvg2-bin');
  console.log('installing librsvg2-bin (rsvg-convert) for the icons');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const installed = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'librsvg2-bin'], { stdio: 'inherit', env });
  if (installed.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'librsvg2-bin'], { stdio: 'inherit', env });
  }
}

/** KiB, as dpkg counts Installed-Size: each file rounded up. */
function kibibytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return Math.ceil(stat.size / 1024);
  let total = 1;
  for (const entry of readdirSync(path)) total += kibibytes(join(path, entry));
  return total;
}

function control(architecture: string, installedSize: number): string {
  return `Package: multidesk
Version: ${VERSION}
Architecture: ${architecture}
Maintainer: Multidesk developers <multidesk@example.com>
Installed-Size: ${installedSize}
Depends: chromium | google-chrome-stable | microsoft-edge-stable, libc6 (>= 2.28), libgcc-s1, libstdc++6
Recommends: gnome-keyring | kwalletmanager | keepassxc
Suggests: libnotify-bin
Section: net
Priority: optional
Description: several Bitrix24 accounts in one desktop app
 Multidesk keeps several Bitrix24 accounts (cloud, on-premise or a Multidesk
 portal) connected at once: a Workspace window with every account's tasks and
 a cross-account My tasks, and a Messenger window with each account's chats,
 unread counts and notifications.
 .
 Its windows open in the installed Chromium, Google Chrome or Microsoft Edge
 in app mode; sign-ins are kept in the system keychain (Secret Service). It
 ships its own Node.js runtime.
`;
}

function main(): void {
  const fast = process.argv.includes('--fast');
  ensureBuilt();
  ensureIconRenderer();
  const architecture = debianArchitecture();
  const outDir = join(ROOT, 'dist');
  const tree = join(outDir, 'deb-root');
  const deb = join(outDir, `multidesk_${VERSION}_${architecture}.deb`);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true, mode: 0o755 });

  stageApp(join(tree, APP_DIR));
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  writeFileSync(join(tree, COMMAND), launcherScript(), { mode: 0o755 });
  mkdirSync(join(tree, 'usr/share/applications'), { recursive: true });
  writeFileSync(join(tree, 'usr/share/applications/multidesk.desktop'), desktopEntry('multidesk'));
  writeIcons(join(tree, 'usr/share/icons/hicolor'), true);
  mkdirSync(join(tree, 'usr/share/doc/multidesk'), { recursive: true });
  writeFileSync(
    join(tree, 'usr/share/doc/multidesk/copyright'),
    'Multidesk, with Node.js (MIT, https://nodejs.org) and @napi-rs/keyring (MIT) inside /usr/lib/multidesk.\n',
  );

  const installedSize = kibibytes(join(tree, 'usr'));
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  writeFileSync(join(tree, 'DEBIAN/control'), control(architecture, installedSize));
  // Whatever the umask of this machine: directories and programs 0755, the rest 0644.
  execFileSync('chmod', ['-R', 'u=rwX,go=rX', tree]);
  chmodSync(join(tree, COMMAND), 0o755);
  chmodSync(join(tree, APP_DIR, 'bin/node'), 0o755);

  rmSync(deb, { force: true });
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', ...(fast ? ['-Zgzip', '-z6'] : ['-Zxz', '-z6']), tree, deb], {
    stdio: 'inherit',
  });
  rmSync(tree, { recursive: true, force: true });
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`built ${deb} (${mib(statSync(deb).size)} MiB; ${mib(installedSize * 1024)} MiB installed)`);
}

main();
