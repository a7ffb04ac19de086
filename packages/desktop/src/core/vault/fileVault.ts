import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomicFile.ts';
import type { SecretVault } from './secretVault.ts';
import { KeyedSerializer } from './secretVault.ts';

/**
 * Opt-in (`--vault file`): secrets in a 0600 JSON file in the profile. This is obfuscation, not
 * protection (as Chrome's and VS Code's "basic" stores admit), and the UI says so.
 */
export class FileVault implements SecretVault {
  readonly info = {
    kind: 'file' as const,
    notice: 'Sign-ins are saved in a file that is not encrypted (--vault file). Anyone who can read your profile folder can use them.',
  };
  readonly #file: string;
  readonly #serializer = new KeyedSerializer();
  #secrets: Record<string, string>;

  constructor(file: string) {
    this.#file = file;
    this.#secrets = FileVault.#read(file);
  }

  static #read(file: string): Record<string, string> {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; secrets?: Record<string, string> };
      return parsed.version === 1 && parsed.secrets ? parsed.secrets : {};
    } catch {
      return {};
    }
  }

  async get(key: string): Promise<string | null> {
    return this.#secrets[key] ?? null;
  }

  set(key: string, value: string): Promise<void> {
    // One file holds every key: serialise all writes on one lane.
    return this.#serializer.run('file', async () => {
      this.#secrets = { ...this.#secrets, [key]: value };
      await this.#write();
    });
  }

  delete(key: string): Promise<void> {
    return this.#serializer.run('file', async () => {
      const { [key]: _removed, ...rest } = this.#secrets;
      this.#secrets = rest;
      await this.#write();
    });
  }

  #write(): Promise<void> {
    return writeFileAtomic(this.#file, JSON.stringify({ version: 1, secrets: this.#secrets }), 0o600);
  }
}
