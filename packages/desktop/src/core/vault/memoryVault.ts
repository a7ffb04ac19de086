import type { VaultInfo } from '@multidesk/protocol';
import type { SecretVault } from './secretVault.ts';

/** Secrets for this run only: where no keychain exists, a restart asks for the logins again. */
export class MemoryVault implements SecretVault {
  readonly info: VaultInfo;
  readonly #secrets = new Map<string, string>();

  constructor(info: VaultInfo = { kind: 'memory' }) {
    this.info = info;
  }

  async get(key: string): Promise<string | null> {
    return this.#secrets.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.#secrets.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.#secrets.delete(key);
  }
}
