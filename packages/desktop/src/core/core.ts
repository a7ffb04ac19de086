import { AccountManager } from './accounts/accountManager.ts';
import { AccountRegistry } from './accounts/accountRegistry.ts';
import { RevocationQueue } from './accounts/revocationQueue.ts';
import { createPortalDispatcher } from './portal/loopbackDispatcher.ts';
import { openProfile, type Profile } from './profile.ts';
import type { SecretVault } from './vault/secretVault.ts';

export interface Core {
  manager: AccountManager;
  profile: Profile;
  vault: SecretVault;
  revocations: RevocationQueue;
  close(): Promise<void>;
}

/** Assembles the core of one profile: its accounts, their secrets, pending revocations and the HTTP agent. */
export async function openCore(options: { profileDir: string; vault: SecretVault; deviceName: string }): Promise<Core> {
  const profile = openProfile(options.profileDir);
  const dispatcher = createPortalDispatcher();
  const revocations = new RevocationQueue(profile.revocationsFile, options.vault, dispatcher);
  await revocations.load();
  const manager = new AccountManager({
    profile,
    registry: new AccountRegistry(profile.accountsFile),
    vault: options.vault,
    dispatcher,
    revocations,
    deviceName: options.deviceName,
  });
  await manager.load();
  return {
    manager,
    profile,
    vault: options.vault,
    revocations,
    close: async () => {
      manager.close();
      await dispatcher.close();
    },
  };
}
