import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
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

/**
 * The vault of this run, with the sign-ins moved into it: the user changed where they are kept
 * (Settings, or `--vault` for one run), so the other place may hold the newest secret of an
 * account. Each is copied over and removed there, so one place holds it. With no keychain to move
 * to, a file that holds sign-ins stays in use rather than losing them at exit.
 */
export async function openVault(
  choice: VaultChoice,
  profileDir: string,
  accountIds: readonly string[],
  keyringService?: string,
): Promise<SecretVault> {
  const fileExists = existsSync(join(profileDir, 'vault.json'));
  const chosen = await createVault(choice, profileDir, keyringService);
  if (chosen.info.kind === 'memory') return fileExists ? createVault('file', profileDir) : chosen;
  const other =
    choice === 'keyring'
      ? fileExists
        ? new FileVault(join(profileDir, 'vault.json'))
        : null
      : (await KeyringVault.unavailableReason(keyringService, 1)) === null
        ? new KeyringVault(keyringService)
        : null;
  if (other) await moveSecrets(other, chosen, accountIds);
  if (choice === 'keyring' && other) await rm(join(profileDir, 'vault.json'), { force: true }).catch(() => undefined);
  return chosen;
}

/** Copies each account's secret from `from` to `to` and removes it from `from`. */
export async function moveSecrets(from: SecretVault, to: SecretVault, accountIds: readonly string[]): Promise<number> {
  let moved = 0;
  for (const id of accountIds) {
    const secret = await from.get(id);
    if (secret === null) continue;
    await to.set(id, secret);
    await from.delete(id);
    moved += 1;
  }
  return moved;
}
