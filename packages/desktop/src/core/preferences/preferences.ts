import type { Locale, SettingsPatch, SettingsView, VaultInfo } from '@multidesk/protocol';
import type { SettingsStore } from '../settings.ts';
import { setAutostart } from './autostart.ts';
import { resolveLocale } from './systemLocale.ts';

export interface PreferencesOptions {
  settings: SettingsStore;
  /** The language the system asks for (systemLocale.ts). */
  systemLocale: Locale;
  /** Where sign-ins are kept in this run. */
  vaultInUse: () => VaultInfo['kind'];
  /** The XDG autostart entry (autostart.ts) and the command it runs. */
  autostartFile: string;
  launchCommand: readonly string[];
}

/**
 * The Settings screen's side in the core: reads the choices with what they amount to (the
 * language spoken, the vault in use), and applies a change where it lives (the autostart entry on
 * disk; notifications and language are read from the store by their users).
 */
export class Preferences {
  readonly #options: PreferencesOptions;
  #problem: string | undefined;

  constructor(options: PreferencesOptions) {
    this.#options = options;
  }

  get locale(): Locale {
    return resolveLocale(this.#options.settings.get().language, this.#options.systemLocale);
  }

  view(): SettingsView {
    const { settings, systemLocale, vaultInUse, autostartFile } = this.#options;
    return {
      settings: settings.get(),
      systemLocale,
      vaultInUse: vaultInUse(),
      autostartFile,
      ...(settings.notice ? { notice: settings.notice } : {}),
      ...(this.#problem ? { problem: this.#problem } : {}),
    };
  }

  async update(patch: SettingsPatch): Promise<SettingsView> {
    const { settings, autostartFile, launchCommand } = this.#options;
    const before = settings.get();
    const mutedAccounts = patch.mutedAccounts ? [...new Set(patch.mutedAccounts)] : undefined;
    await settings.update({ ...patch, ...(mutedAccounts ? { mutedAccounts } : {}) });
    if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) {
      try {
        await setAutostart(autostartFile, launchCommand, patch.startAtLogin);
        this.#problem = undefined;
      } catch (error) {
        this.#problem = `${autostartFile}: ${(error as Error).message}`;
        await settings.update({ startAtLogin: before.startAtLogin });
      }
    }
    return this.view();
  }

  /** Whether a message of this account raises a notification, and with the system's sound or not. */
  notificationFor(accountId: string): { show: boolean; silent: boolean } {
    const { notifications, mutedAccounts, sound } = this.#options.settings.get();
    return { show: notifications && !mutedAccounts.includes(accountId), silent: !sound };
  }
}
