import { AsyncEntry } from '@napi-rs/keyring';
import { KeyedSerializer, type SecretVault } from './secretVault.ts';

export const KEYRING_SERVICE = 'multidesk';

/** The OS keychain: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows. */
export class KeyringVault implements SecretVault {
  readonly info = { kind: 'keyring' as const };
  readonly #serializer = new KeyedSerializer();
  readonly #service: string;

  constructor(service = KEYRING_SERVICE) {
    this.#service = service;
  }

  get(key: string): Promise<string | null> {
    return this.#serializer.run(key, async () => (await new AsyncEntry(this.#service, key).getPassword()) ?? null);
  }

  set(key: string, value: string): Promise<void> {
    return this.#serializer.run(key, () => new AsyncEntry(this.#service, key).setPassword(value));
  }

  delete(key: string): Promise<void> {
    return this.#serializer.run(key, async () => {
      await new AsyncEntry(this.#service, key).deleteCredential();
    });
  }

  /** True when a Secret Service answers: a round trip of a probe entry. */
  static async available(service = KEYRING_SERVICE): Promise<boolean> {
    try {
      const probe = new AsyncEntry(service, `probe-${process.pid}`);
      await probe.setPassword('probe');
      const ok = (await probe.getPassword()) === 'probe';
      await probe.deleteCredential();
      return ok;
    } catch {
      return false;
    }
  }
}
