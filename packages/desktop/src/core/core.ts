import { AccountManager } from './accounts/accountManager.ts';
import { AccountRegistry } from './accounts/accountRegistry.ts';
import { AppSignIns } from './accounts/appSignIn.ts';
import { BrowserFlows } from './accounts/browserFlows.ts';
import { RevocationQueue } from './accounts/revocationQueue.ts';
import { type DeviceInfo, SignInFlows } from './accounts/signInFlows.ts';
import { SsoSignIns } from './accounts/ssoSignIn.ts';
import { type OpenUrl, systemBrowser } from './browser/systemBrowser.ts';
import { ChatNotifier } from './chats/chatNotifier.ts';
import { ChatService } from './chats/chatService.ts';
import { createPortalDispatcher } from './portal/loopbackDispatcher.ts';
import { openProfile, type Profile } from './profile.ts';
import { SettingsStore } from './settings.ts';
import { TaskService } from './tasks/taskService.ts';
import type { SecretVault } from './vault/secretVault.ts';

export interface Core {
  manager: AccountManager;
  flows: SignInFlows;
  sso: SsoSignIns;
  apps: AppSignIns;
  /** Sign-ins that finish in the system browser (single sign-on, apps): wait, reopen, cancel. */
  browserFlows: BrowserFlows;
  tasks: TaskService;
  chats: ChatService;
  notifier: ChatNotifier;
  settings: SettingsStore;
  profile: Profile;
  vault: SecretVault;
  revocations: RevocationQueue;
  /** The system browser (or the one given for tests): single sign-on, apps' authorization, Open in browser. */
  openUrl: OpenUrl;
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
}

export async function openCore(options: CoreOptions): Promise<Core> {
  const profile = openProfile(options.profileDir);
  const openUrl = options.openUrl ?? systemBrowser();
  const dispatcher = createPortalDispatcher();
  const revocations = new RevocationQueue(profile.revocationsFile, options.vault, dispatcher);
  await revocations.load();
  const manager = new AccountManager({
    profile,
    registry: new AccountRegistry(profile.accountsFile),
    vault: options.vault,
    dispatcher,
    revocations,
    deviceName: options.device.name,
  });
  await manager.load();
  const settings = new SettingsStore(profile.settingsFile);
  await settings.load();
  const flows = new SignInFlows({ manager, dispatcher, settings, device: options.device });
  const browserFlows = new BrowserFlows({ openUrl, ...(options.ssoTimeoutMs ? { timeoutMs: options.ssoTimeoutMs } : {}) });
  const sso = new SsoSignIns({ manager, dispatcher, settings, deviceName: options.device.name, browser: browserFlows });
  const apps = new AppSignIns({
    manager,
    dispatcher,
    settings,
    browser: browserFlows,
    ...(options.appRedirectPort ? { redirectPort: options.appRedirectPort } : {}),
  });
  const tasks = new TaskService(manager, (accountId) => manager.emit('tasks-changed', accountId));
  const chats = new ChatService(manager);
  const notifier = new ChatNotifier(manager);
  return {
    manager,
    flows,
    sso,
    apps,
    browserFlows,
    tasks,
    chats,
    notifier,
    settings,
    profile,
    vault: options.vault,
    revocations,
    openUrl,
    close: async () => {
      flows.close();
      chats.close();
      browserFlows.close();
      manager.close();
      await dispatcher.close();
    },
  };
}
