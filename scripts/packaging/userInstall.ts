/**
 * `npm run install:user` / `npm run uninstall:user`: Multidesk for one user, without root: the app
 * and its Node.js in ~/.local/lib/multidesk, the command ~/.local/bin/multidesk, a menu entry in
 * ~/.local/share/applications and icons in ~/.local/share/icons/hicolor (XDG_DATA_HOME is
 * honoured). Uninstalling keeps the profile (~/.config/multidesk: accounts, caches); the keychain
 * keeps the sign-ins.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { desktopEntry, ensureBuilt, launcherScript, PNG_SIZES, stageApp, VERSION, writeIcons } from './layout.ts';

const home = homedir();
const dataHome = process.env.XDG_DATA_HOME || join(home, '.local/share');
const appDir = join(home, '.local/lib/multidesk');
const command = join(home, '.local/bin/multidesk');
const applications = join(dataHome, 'applications');
const entry = join(applications, 'multidesk.desktop');
const icons = join(dataHome, 'icons/hicolor');

/** Tells the desktop's caches; each tool is optional. */
function refreshDesktop(): void {
  spawnSync('update-desktop-database', [applications], { stdio: 'ignore' });
  spawnSync('gtk-update-icon-cache', ['-q', '-t', icons], { stdio: 'ignore' });
}

function install(): void {
  ensureBuilt();
  // A new copy beside the old one, then swapped in: a running Multidesk keeps its files.
  const next = `${appDir}.new`;
  rmSync(next, { recursive: true, force: true });
  stageApp(next);
  rmSync(`${appDir}.old`, { recursive: true, force: true });
  if (existsSync(appDir)) renameSync(appDir, `${appDir}.old`);
  renameSync(next, appDir);
  rmSync(`${appDir}.old`, { recursive: true, force: true });

  mkdirSync(join(home, '.local/bin'), { recursive: true });
  writeFileSync(command, launcherScript(), { mode: 0o755 });
  mkdirSync(applications, { recursive: true });
  // The full path: ~/.local/bin is not on every session's PATH.
  writeFileSync(entry, desktopEntry(command));
  writeIcons(icons, false);
  refreshDesktop();
  console.log(`Multidesk ${VERSION} is installed for ${process.env.USER ?? 'you'}: ${command} (and in the applications menu).`);
  const onPath = (process.env.PATH ?? '').split(':').includes(join(home, '.local/bin'));
  if (!onPath) console.log(`${join(home, '.local/bin')} is not on your PATH: run ${command}, or add it to PATH.`);
}

function uninstall(): void {
  rmSync(appDir, { recursive: true, force: true });
  rmSync(command, { force: true });
  rmSync(entry, { force: true });
  rmSync(join(icons, 'scalable/apps/multidesk.svg'), { force: true });
  for (const size of PNG_SIZES) rmSync(join(icons, `${size}x${size}/apps/multidesk.png`), { force: true });
  refreshDesktop();
  console.log('Multidesk is uninstalled. Your profile (accounts and caches) stays in ~/.config/multidesk; delete it to forget them.');
}

const action = process.argv[2];
if (action === 'install') install();
else if (action === 'uninstall') uninstall();
else {
  console.error('Usage: node scripts/packaging/userInstall.ts install|uninstall');
  process.exit(2);
}
