import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Core, openCore } from '../src/core/core.ts';
import type { SecretVault } from '../src/core/vault/secretVault.ts';

/** A desktop core (no windows) over a profile folder and a vault; `profileDir` reuses one for restarts. */
export async function startTestCore(
  vault: SecretVault,
  profileDir?: string,
): Promise<Core & { profileDir: string; removeProfile(): void }> {
  const dir = profileDir ?? mkdtempSync(join(tmpdir(), 'multidesk-profile-'));
  const core = await openCore({ profileDir: dir, vault, device: { name: 'Multidesk test', os: 'Linux test', appVersion: '0.0.0' } });
  return { ...core, profileDir: dir, removeProfile: () => rmSync(dir, { recursive: true, force: true }) };
}
