import { join } from 'node:path';
import { FileVault } from './fileVault.ts';
import { KeyringVault } from './keyringVault.ts';
import { MemoryVault } from './memoryVault.ts';
import type { SecretVault } from './secretVault.ts';

export type VaultChoice = 'keyring' | 'file';

/** The keychain when one answers; otherwise memory for this run, with a notice, unless the user opted into a file. */
export async function createVault(choice: VaultChoice, profileDir: string, keyringService?: string): Promise<SecretVault> {
  if (choice === 'file') return new FileVault(join(profileDir, 'vault.json'));
  const reason = await KeyringVault.unavailableReason(keyringService);
  if (reason === null) return new KeyringVault(keyringService);
  process.stderr.write(`Multidesk: the system keychain cannot be used (${reason}); sign-ins are kept in memory.\n`);
  return new MemoryVault({
    kind: 'memory',
    notice:
      'No system keychain was found, so sign-ins are kept only until Multidesk closes. Start with --vault file to save them in a file (not encrypted).',
  });
}
