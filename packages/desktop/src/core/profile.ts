import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every file of one user's Multidesk lives under one profile folder. */
export interface Profile {
  dir: string;
  accountsFile: string;
  revocationsFile: string;
  settingsFile: string;
  cacheDir(accountId: string): string;
  browserDataDir: string;
}

export function defaultProfileDir(): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'multidesk');
}

export function openProfile(dir: string): Profile {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return {
    dir: root,
    accountsFile: join(root, 'accounts.json'),
    revocationsFile: join(root, 'revocations.json'),
    settingsFile: join(root, 'settings.json'),
    cacheDir: (accountId) => join(root, 'cache', accountId),
    browserDataDir: join(root, 'browser'),
  };
}
