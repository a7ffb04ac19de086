import { readFile } from 'node:fs/promises';
import type { Settings } from '@multidesk/protocol';
import { writeFileAtomic } from './atomicFile.ts';

const DEFAULTS: Settings = { networkUrl: 'http://localhost:8024' };

/** The user's choices that are not accounts (the network server's address, the apps' loopback port), kept in the profile. */
export class SettingsStore {
  readonly #file: string;
  #settings: Settings = { ...DEFAULTS };

  constructor(file: string) {
    this.#file = file;
  }

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.#file, 'utf8')) as {
        version?: number;
        networkUrl?: unknown;
        appRedirectPort?: unknown;
      };
      if (parsed.version === 1 && typeof parsed.networkUrl === 'string') {
        const port = parsed.appRedirectPort;
        this.#settings = {
          networkUrl: parsed.networkUrl,
          ...(typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? { appRedirectPort: port } : {}),
        };
      }
    } catch {
      this.#settings = { ...DEFAULTS };
    }
  }

  get(): Settings {
    return { ...this.#settings };
  }

  async update(settings: Settings): Promise<void> {
    this.#settings = { ...settings };
    await writeFileAtomic(this.#file, JSON.stringify({ version: 1, ...settings }));
  }
}
