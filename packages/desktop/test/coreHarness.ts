import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountManager } from '../src/core/accounts/accountManager.ts';
import { AccountRegistry } from '../src/core/accounts/accountRegistry.ts';
import { RevocationQueue } from '../src/core/accounts/revocationQueue.ts';
import { createPortalDispatcher } from '../src/core/portal/loopbackDispatcher.ts';
import { openProfile, type Profile } from '../src/core/profile.ts';
import type { SecretVault } from '../src/core/vault/secretVault.ts';

export interface TestCore {
  manager: AccountManager;
  profile: Profile;
  vault: SecretVault;
  close(): Promise<void>;
}

/** A desktop core (no windows) over a profile folder and a vault; `profileDir` reuses one for restarts. */
export async function startTestCore(
  vault: SecretVault,
  profileDir?: string,
): Promise<TestCore & { profileDir: string; removeProfile(): void }> {
  const dir = profileDir ?? mkdtempSync(join(tmpdir(), 'multidesk-profile-'));
  const profile = openProfile(dir);
  const dispatcher = createPortalDispatcher();
  const revocations = new RevocationQueue(profile.revocationsFile, vault, dispatcher);
  await revocations.load();
  const manager = new AccountManager({
    profile,
    registry: new AccountRegistry(profile.accountsFile),
    vault,
    dispatcher,
    revocations,
    deviceName: 'Multidesk test',
  });
  await manager.load();
  return {
    manager,
    profile,
    vault,
    profileDir: dir,
    close: async () => {
      manager.close();
      await dispatcher.close();
    },
    removeProfile: () => rmSync(dir, { recursive: true, force: true }),
  };
}
