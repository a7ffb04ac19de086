/**
 * The desktop core's command line: options, then the core, its bridge and its windows. main.ts
 * starts it, from the sources or built (dist/core/cli.cjs, two folders below the package as this
 * file is, so the paths below hold in both).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, platform, release, type } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BOOT_URL_TTL_MS, startBridge } from './bridge/bridgeServer.ts';
import { AppWindows } from './browser/appWindows.ts';
import { findBrowser, INSTALL_HINT } from './browser/findBrowser.ts';
import { allowBridgeNotifications } from './browser/notificationPermission.ts';
import { systemBrowser } from './browser/systemBrowser.ts';
import { WindowPlacement } from './browser/windowPlacement.ts';
import { takeBackLauncherEnvironment } from './builtCore.ts';
import { openCore } from './core.ts';
import { defaultProfileDir, openProfile } from './profile.ts';
import { SettingsStore } from './settings.ts';
import { acquireInstance } from './singleInstance.ts';
import { openVault, type VaultChoice } from './vault/createVault.ts';

/** What the printed addresses allow (`BOOT_URL_TTL_MS`). */
const BOOT_URL_RULE = `each works once, within ${BOOT_URL_TTL_MS / 60_000} minutes`;

const USAGE = `Usage: npm run desktop -- [options]

  --profile DIR                 all state of one user (default ${defaultProfileDir()})
  --no-open                     print the window addresses instead of opening them
  --browser PATH                the Chromium-family browser to open the windows in
  --sso-browser PATH            the browser for single sign-on and apps (default: the system's default browser)
  --oauth-redirect-port N       the loopback port of the Bitrix24 apps' handler URL (default: one chosen once per profile)
  --remote-debugging-port N     passed to the browser, for automation
  --vault keyring|file          where sign-ins are kept, for this run (default: as chosen in Settings, keyring at first; file is not encrypted)
  --version                     print the version and exit

One Multidesk runs per profile: starting it again brings its windows forward.`;

takeBackLauncherEnvironment();

const APP_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));
/** What starts Multidesk again (the autostart entry): a packaged launcher names itself in MULTIDESK_COMMAND; else Node and main.ts. */
const LAUNCHER = process.env.MULTIDESK_COMMAND
  ? [process.env.MULTIDESK_COMMAND]
  : [process.execPath, fileURLToPath(new URL('../../src/core/main.ts', import.meta.url))];

/** The ids in the account list, read without judging the file (the core's registry does that). */
function storedAccountIds(file: string): string[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: { id?: unknown }[] };
    return (parsed.accounts ?? []).map((a) => a.id).filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>['values'];
  function parse() {
    return parseArgs({
      options: {
        profile: { type: 'string' },
        'no-open': { type: 'boolean' },
        browser: { type: 'string' },
        'sso-browser': { type: 'string' },
        'oauth-redirect-port': { type: 'string' },
        'remote-debugging-port': { type: 'string' },
        vault: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
      // A menu entry's Exec=multidesk %U may add files or addresses: nothing to open, ignored.
      allowPositionals: true,
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.version) {
    console.log(APP_VERSION);
    return;
  }
  if (values.vault !== undefined && values.vault !== 'keyring' && values.vault !== 'file') {
    fail(`--vault must be "keyring" or "file", not "${values.vault}"`);
  }
  const debugPort = values['remote-debugging-port'] === undefined ? undefined : Number(values['remote-debugging-port']);
  if (debugPort !== undefined && (!Number.isInteger(debugPort) || debugPort < 1 || debugPort > 65535)) {
    fail(`--remote-debugging-port must be 1 to 65535, not "${values['remote-debugging-port']}"`);
  }
  const redirectPort = values['oauth-redirect-port'] === undefined ? undefined : Number(values['oauth-redirect-port']);
  if (redirectPort !== undefined && (!Number.isInteger(redirectPort) || redirectPort < 1024 || redirectPort > 65535)) {
    fail(`--oauth-redirect-port must be 1024 to 65535, not "${values['oauth-redirect-port']}"`);
  }
  const ssoBrowser = values['sso-browser'];
  if (ssoBrowser !== undefined && !findBrowser(ssoBrowser)) fail(`--sso-browser: no program can be run at ${ssoBrowser}`);

  const profileDir = values.profile ?? defaultProfileDir();
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  // Until the windows are up, a later start is told to wait; then it brings them forward.
  let activate = async (): Promise<string[]> => [`Multidesk is starting (profile ${resolve(profileDir)}); its windows open in a moment.`];
  const instance = await acquireInstance(profileDir, process.argv.slice(2), () => activate());
  if (!instance.first) {
    for (const line of instance.lines) console.log(line);
    return;
  }

  if (!existsSync(UI_DIR)) fail(`The user interface is not built yet: run "npm run build -w @multidesk/desktop" first.`);

  const noDisplay = platform() === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  const open = !values['no-open'] && !noDisplay;
  const browser = open ? findBrowser(values.browser) : null;
  if (open && !browser) fail(values.browser ? `No browser can be run at ${values.browser}.\n${INSTALL_HINT}` : INSTALL_HINT);

  // Where sign-ins are kept: --vault for this run, else the Settings choice (secrets move with it).
  const saved = new SettingsStore(openProfile(profileDir).settingsFile);
  await saved.load();
  const vaultChoice: VaultChoice = (values.vault as VaultChoice | undefined) ?? saved.get().vault;
  const core = await openCore({
    profileDir,
    vault: await openVault(vaultChoice, resolve(profileDir), storedAccountIds(openProfile(profileDir).accountsFile)),
    device: { name: `Multidesk on ${hostname()}`, os: `${type()} ${release()}`, appVersion: APP_VERSION },
    openUrl: systemBrowser(ssoBrowser),
    launchCommand: [...LAUNCHER, ...(values.profile ? ['--profile', resolve(profileDir)] : [])],
    ...(redirectPort ? { appRedirectPort: redirectPort } : {}),
    // The accounts go online once the browser is starting (below): its start and theirs overlap.
    goOnlineLater: true,
  });
  const { profile, tokens } = core;
  const windows = browser
    ? new AppWindows({
        browser,
        userDataDir: profile.browserDataDir,
        firstWindow: core.settings.get().windows.workspace,
        ...(debugPort ? { remoteDebuggingPort: debugPort } : {}),
      })
    : null;
  const bridge = await startBridge(core, UI_DIR, windows ? { openWindow: (url) => windows.open(url) } : {});

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await windows?.close();
    await bridge.close();
    await core.close();
    instance.release();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  if (windows) {
    await allowBridgeNotifications(profile.browserDataDir);
    windows.open(bridge.bootUrl('workspace'));
    core.manager.goOnline();
    // Each window's size and place, kept in the settings and given back when it opens again.
    const devtools = windows.devtools;
    const placement = devtools
      ? new WindowPlacement(<T>(method: string, params?: Record<string, unknown>) => devtools.send<T>(method, params), {
          get: (kind) => core.settings.get().windows[kind],
          set: (kind, bounds) => void core.settings.update({ windows: { ...core.settings.get().windows, [kind]: bounds } }).catch(() => {}),
        })
      : null;
    placement?.start();
    void windows.exited.then(() => placement?.stop());
    // The second window joins the first one's browser process once it is up.
    setTimeout(() => windows.open(bridge.bootUrl('messenger')), 1_000);
    void windows.exited.then(() => stop(0));
    activate = async () => {
      const open = new Set((await windows.focus()).map((url) => URL.parse(url)?.pathname));
      // A window the user closed opens again.
      for (const kind of ['workspace', 'messenger'] as const) if (!open.has(`/${kind}`)) windows.open(bridge.bootUrl(kind));
      console.log('Another start of Multidesk brought the windows forward.');
      return [`Multidesk is already running (profile ${profile.dir}): its windows were brought forward.`];
    };
    console.log(`Multidesk is running (profile ${profile.dir}). Close both windows or press Ctrl+C to quit.`);
  } else {
    if (noDisplay && !values['no-open']) console.log('No display was found, so no window was opened.');
    console.log(`Open these addresses in a Chromium-family browser (${BOOT_URL_RULE}):`);
    console.log(`Workspace: ${bridge.bootUrl('workspace')}`);
    console.log(`Messenger: ${bridge.bootUrl('messenger')}`);
    console.log('Press Ctrl+C to quit.');
    core.manager.goOnline();
    activate = async () => [
      `Multidesk is already running (profile ${profile.dir}). Open these addresses in a Chromium-family browser (${BOOT_URL_RULE}):`,
      `Workspace: ${bridge.bootUrl('workspace')}`,
      `Messenger: ${bridge.bootUrl('messenger')}`,
    ];
  }
  if (tokens.vaultInfo.notice) console.log(`Note: ${tokens.vaultInfo.notice}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Multidesk could not start: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
