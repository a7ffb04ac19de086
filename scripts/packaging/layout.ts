/**
 * What an installed Multidesk is made of, for the Debian package (buildDeb.ts) and the install in
 * one's home folder (userInstall.ts): the built app (UI, the one-file core, the native keyring
 * module, which is all it loads from node_modules), the Node.js 24 the project installs, a shell
 * launcher, a .desktop entry and icons.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtCoreIsFresh, CORE_NODE_FLAGS, coreEnvironment } from '../../packages/desktop/src/core/builtCore.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DESKTOP = join(ROOT, 'packages/desktop');
const SVG_ICON = fileURLToPath(new URL('./multidesk.svg', import.meta.url));
export const PNG_SIZES = [16, 22, 24, 32, 48, 64, 128, 256, 512];
/** Chromium's --class in browser/appWindows.ts: the windows' WM_CLASS. */
const WINDOW_CLASS = 'Multidesk';

export const VERSION = (JSON.parse(readFileSync(join(DESKTOP, 'package.json'), 'utf8')) as { version: string }).version;

/** The keyring's prebuilt binary for this machine (an optional dependency of @napi-rs/keyring). */
const KEYRING_BINARY = `@napi-rs/keyring-${process.platform}-${process.arch}-gnu`;

/** Debian's name of the architecture the bundled Node runs on. */
export function debianArchitecture(): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  const name = names[process.arch];
  if (!name) throw new Error(`no Debian architecture known for ${process.arch}`);
  return name;
}

/** The Node 24 binary the project installs (the root devDependency `node`). */
export function nodeBinary(): string {
  const path = realpathSync(join(ROOT, 'node_modules/.bin/node'));
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`${path} is Node ${version}, not 24: run npm install`);
  return path;
}

function newestUnder(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, entry)));
  return newest;
}

/** The UI and the core are built and no source is newer; else `npm run build -w @multidesk/desktop`. */
export function ensureBuilt(): void {
  const pages = ['workspace.html', 'messenger.html'].map((page) => join(DESKTOP, 'dist/ui', page));
  const uiFresh =
    pages.every((page) => existsSync(page)) &&
    Math.max(newestUnder(join(DESKTOP, 'src/ui')), newestUnder(join(ROOT, 'packages/protocol/src'))) <=
      Math.min(...pages.map((page) => statSync(page).mtimeMs));
  if (uiFresh && builtCoreIsFresh()) {
    console.log('the app is built and current: not rebuilt');
    return;
  }
  console.log('building the app (npm run build -w @multidesk/desktop)');
  const built = spawnSync('npm', ['run', '--silent', 'build', '-w', '@multidesk/desktop'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed');
}

/**
 * Copies the app into appDir, laid out as in the repository (package.json beside dist/, as
 * cli.cjs reads ../../package.json and ../../dist/ui) and with its own node_modules holding the
 * keyring alone: everything else is in the bundle.
 */
export function stageApp(appDir: string): void {
  mkdirSync(join(appDir, 'dist'), { recursive: true });
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify({ name: 'multidesk', version: VERSION, private: true }, null, 2)}\n`);
  cpSync(join(DESKTOP, 'dist/ui'), join(appDir, 'dist/ui'), { recursive: true });
  mkdirSync(join(appDir, 'dist/core'), { recursive: true });
  copyFileSync(join(DESKTOP, 'dist/core/cli.cjs'), join(appDir, 'dist/core/cli.cjs'));
  for (const name of ['@napi-rs/keyring', KEYRING_BINARY]) {
    const from = dirname(realpathSync(join(ROOT, 'node_modules', name, 'package.json')));
    cpSync(from, join(appDir, 'node_modules', name), {
      recursive: true,
      filter: (path) => !/\.(d\.ts|md)$/.test(path) || /LICENSE/.test(path),
    });
  }
  mkdirSync(join(appDir, 'bin'), { recursive: true });
  copyFileSync(nodeBinary(), join(appDir, 'bin/node'));
  chmodSync(join(appDir, 'bin/node'), 0o755);
}

/** Where the core's launcher (main.ts) would look for a browser: the launcher checks the same. */
const BROWSER_COMMANDS = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'microsoft-edge',
  'microsoft-edge-stable',
  '/snap/bin/chromium',
];

export const NO_BROWSER_MESSAGE =
  'Multidesk opens its windows in a Chromium-family browser and none is installed: install one (sudo apt-get install chromium, or Google Chrome or Microsoft Edge), or name one with --browser PATH.';

/**
 * The `multidesk` command, PREFIX/bin/multidesk for the app in PREFIX/lib/multidesk (/usr for the
 * package, ~/.local for one user, anywhere it is unpacked): checks for a browser (the package may
 * have been installed with its dependency unmet), then runs the bundled Node on the core as
 * main.ts would (its flags and environment from builtCore.ts).
 */
export function launcherScript(): string {
  const added = coreEnvironment({});
  // The built core's compile cache lies beside the build: installed, Node keeps it in the user's
  // cache folder instead (a path of the build machine would be missing, or not the user's to write).
  const exports = Object.entries(added)
    .map(([name, value]) =>
      name === 'NODE_COMPILE_CACHE'
        ? `${name}="\${XDG_CACHE_HOME:-$HOME/.cache}/multidesk/compile-cache"`
        : `${name}=${shellQuote(String(value))}`,
    )
    .join(' ');
  return `#!/bin/sh
# Multidesk ${VERSION}: the desktop core on the Node.js runtime installed with it.

need_browser=1
[ -n "\${DISPLAY:-}\${WAYLAND_DISPLAY:-}" ] || need_browser=0
[ -n "\${CHROME_PATH:-}" ] && need_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser|--browser=*|--no-open|--help|-h|--version) need_browser=0 ;;
  esac
done
if [ "$need_browser" = 1 ]; then
  found=0
  for browser in ${BROWSER_COMMANDS.join(' ')}; do
    if command -v "$browser" >/dev/null 2>&1; then found=1; break; fi
  done
  if [ "$found" = 0 ]; then
    message=${shellQuote(NO_BROWSER_MESSAGE)}
    echo "multidesk: $message" >&2
    # Started from a menu, nobody reads stderr: a notification says it too, where one can be sent.
    if [ ! -t 2 ] && command -v notify-send >/dev/null 2>&1; then notify-send -a Multidesk 'Multidesk cannot start' "$message" 2>/dev/null; fi
    exit 3
  fi
fi

SELF=$(readlink -f "$0")
APP="$(dirname "$(dirname "$SELF")")/lib/multidesk"
# What the autostart entry runs (settings): this command.
export MULTIDESK_COMMAND="$SELF"
if [ -z "\${MALLOC_ARENA_MAX+set}" ]; then export ${exports}; fi
exec "$APP/bin/node" ${CORE_NODE_FLAGS.join(' ')} "$APP/dist/core/cli.cjs" "$@"
`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The menu entry; exec is the command (a bare name where it is on PATH, else its full path). */
export function desktopEntry(exec: string): string {
  return `[Desktop Entry]
Type=Application
Name=Multidesk
GenericName=Bitrix24 client
Comment=Work in several Bitrix24 accounts at once: tasks and chats
Exec=${exec.includes(' ') ? `"${exec}"` : exec} %U
Icon=multidesk
Terminal=false
Categories=Network;InstantMessaging;Office;
Keywords=Bitrix24;chat;messenger;tasks;
StartupNotify=true
StartupWMClass=${WINDOW_CLASS}
`;
}

export function hasIconRenderer(): boolean {
  return spawnSync('rsvg-convert', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The icon, as SVG and as PNG in every usual size, under iconsDir (…/share/icons/hicolor). PNGs
 * need rsvg-convert (Debian: librsvg2-bin); without it only the SVG, unless required.
 */
export function writeIcons(iconsDir: string, pngRequired: boolean): string[] {
  const written: string[] = [];
  const svg = join(iconsDir, 'scalable/apps/multidesk.svg');
  mkdirSync(dirname(svg), { recursive: true });
  copyFileSync(SVG_ICON, svg);
  written.push(svg);
  if (!hasIconRenderer()) {
    if (pngRequired) throw new Error('rsvg-convert renders the icons: sudo apt-get install librsvg2-bin');
    console.log('rsvg-convert is missing (Debian: librsvg2-bin): the icon is installed as SVG only');
    return written;
  }
  for (const size of PNG_SIZES) {
    const png = join(iconsDir, `${size}x${size}/apps/multidesk.png`);
    mkdirSync(dirname(png), { recursive: true });
    execFileSync('rsvg-convert', ['-w', String(size), '-h', String(size), SVG_ICON, '-o', png]);
    written.push(png);
  }
  return written;
}
