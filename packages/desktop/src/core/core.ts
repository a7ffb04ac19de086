import type { AppState } from '@multidesk/protocol';
import { AccountManager } from './accounts/accountManager.ts';
import { AccountRegistry } from './accounts/accountRegistry.ts';
import { AppSignIns } from './accounts/appSignIn.ts';
import { BrowserFlows } from './accounts/browserFlows.ts';
import { type DeviceInfo, SignInFlows } from './accounts/signInFlows.ts';
import { SignIns } from './accounts/signIns.ts';
import { SsoSignIns } from './accounts/ssoSignIn.ts';
import { TokenStore } from './accounts/tokenStore.ts';
import { type OpenUrl, systemBrowser } from './browser/systemBrowser.ts';
import { ChatNotifier } from './chats/chatNotifier.ts';
import { ChatService } from './chats/chatService.ts';
import { UnreadCounters } from './chats/unreadCounters.ts';
import { HomeService } from './home/homeService.ts';
import { createPortalDispatcher } from './portal/loopbackDispatcher.ts';
import { autostartFile } from './preferences/autostart.ts';
import { Preferences } from './preferences/preferences.ts';
import { systemLocale } from './preferences/systemLocale.ts';
import { openProfile, type Profile } from './profile.ts';
import { SettingsStore } from './settings.ts';
import { TaskService } from './tasks/taskService.ts';
import type { SecretVault } from './vault/secretVault.ts';

/**
 * One profile's core. Each kind of state has one owner: the account list and states `manager`;
 * secrets `tokens`; each account's home `home`; chats and their outbox `chats`; unread counts
 * `unread`; tasks `tasks`. Windows hear the owners' events through the bridge.
 */
export interface Core {
  manager: AccountManager;
  tokens: TokenStore;
  /** Password, authorization code and webhook sign-ins. */
  signIns: SignIns;
  flows: SignInFlows;
  sso: SsoSignIns;
  apps: AppSignIns;
  /** Sign-ins that finish in the system browser (single sign-on, apps): wait, reopen, cancel. */
  browserFlows: BrowserFlows;
  home: HomeService;
  tasks: TaskService;
  chats: ChatService;
  unread: UnreadCounters;
  notifier: ChatNotifier;
  settings: SettingsStore;
  /** The Settings screen's view and changes: language, notifications, start at login. */
  preferences: Preferences;
  profile: Profile;
  /** The system browser (or the one given for tests): single sign-on, apps' authorization, Open in browser. */
  openUrl: OpenUrl;
  /** What the windows show first: every account and where secrets are kept. */
  state(): AppState;
  close(): Promise<void>;
}

/** Assembles the core of one profile: its accounts, their secrets, pending revocations and the HTTP agent. */
export interface CoreOptions {
  profileDir: string;
  vault: SecretVault;
  device: DeviceInfo;
  /** Where single sign-on opens: the system browser unless given (tests drive their own). */
  openUrl?: OpenUrl;
  /** How long single sign-on waits for the browser (default 5 minutes). */
  ssoTimeoutMs?: number;
  /** The Bitrix24 apps' loopback port (`--oauth-redirect-port`); else the profile's own. */
  appRedirectPort?: number;
  /** The clock every token expiry, cache date and request budget is read from (tests move it); Date.now unless given. */
  now?: () => number;
  /** The environment the system language and the autostart folder are read from (tests give theirs); process.env unless given. */
  env?: NodeJS.ProcessEnv;
  /** What the autostart entry runs (cli.ts: this app, with its profile); the tests' own otherwise. */
  launchCommand?: readonly string[];
  /** The accounts go online when the caller calls `manager.goOnline()` (cli.ts: once the browser is starting), not at once. */
  goOnlineLater?: boolean;
}

export async function openCore(options: CoreOptions): Promise<Core> {
  const profile = openProfile(options.profileDir);
  const openUrl = options.openUrl ?? systemBrowser();
  const dispatcher = createPortalDispatcher();
  const now = options.now ?? Date.now;
  const tokens = new TokenStore({ vault: options.vault, dispatcher, revocationsFile: profile.revocationsFile, now });
  await tokens.load();
  const manager = new AccountManager({
    profile,
    registry: new AccountRegistry(profile.accountsFile),
    tokens,
    dispatcher,
    // The services below are made before any account is added or counted.
    welcome: (accountId) => home.refresh(accountId),
    unreadOf: (accountId) => unread.total(accountId),
    now,
  });
  const home = new HomeService(manager, now);
  // Before the chats: a realtime event's counter is stored before windows hear the chat changed.
  const unread = new UnreadCounters(manager, now);
  const chats = new ChatService(manager, now);
  const tasks = new TaskService(manager, home, now);
  const settings = new SettingsStore(profile.settingsFile);
  await settings.load();
  const env = options.env ?? process.env;
  const preferences = new Preferences({
    settings,
    systemLocale: systemLocale(env),
    vaultInUse: () => tokens.vaultInfo.kind,
    autostartFile: autostartFile(env),
    launchCommand: options.launchCommand ?? [process.execPath, ...process.argv.slice(1, 2)],
  });
  const notifier = new ChatNotifier({
    manager,
    chats,
    home,
    choice: (accountId) => preferences.notificationFor(accountId),
    locale: () => preferences.locale,
  });
  await manager.load();
  if (!options.goOnlineLater) manager.goOnline();
  const signIns = new SignIns({ manager, dispatcher, deviceName: options.device.name, now });
  const flows = new SignInFlows({ manager, signIns, dispatcher, settings, device: options.device, now });
  const browserFlows = new BrowserFlows({ openUrl, ...(options.ssoTimeoutMs ? { timeoutMs: options.ssoTimeoutMs } : {}) });
  const sso = new SsoSignIns({ signIns, dispatcher, settings, deviceName: options.device.name, browser: browserFlows });
  const apps = new AppSignIns({
    manager,
    dispatcher,
    settings,
    browser: browserFlows,
    ...(options.appRedirectPort ? { redirectPort: options.appRedirectPort } : {}),
  });
  return {
    manager,
    tokens,
    signIns,
    flows,
    sso,
    apps,
    browserFlows,
    home,
    tasks,
    chats,
    unread,
    notifier,
    settings,
    preferences,
    profile,
    openUrl,
    state: () => ({
      accounts: manager.list(),
      vault: tokens.vaultInfo,
      locale: preferences.locale,
      ...(settings.notice ? { settingsNotice: settings.notice } : {}),
    }),
    close: async () => {
      flows.close();
      chats.close();
      unread.close();
      browserFlows.close();
      manager.close();
      tokens.close();
      await dispatcher.close();
    },
  };
}
