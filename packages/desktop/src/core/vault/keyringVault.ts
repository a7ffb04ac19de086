import { AsyncEntry } from '@napi-rs/keyring';
import { KeyedSerializer, type SecretVault } from './secretVault.ts';

export const KEYRING_SERVICE = 'multidesk';

/**
 * On Linux the binding would silently fall back to the kernel keyring, which forgets everything at
 * reboot: require the Secret Service so that "saved" means saved (elsewhere the option is ignored).
 */
const ENTRY_OPTIONS = { linux: { store: 'secret-service' as const } };

export function keyringEntry(service: string, key: string): AsyncEntry {
  return new AsyncEntry(service, key, ENTRY_OPTIONS);
}

/** The OS keychain: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows. */
export class KeyringVault implements SecretVault {
  readonly info = { kind: 'keyring' as const };
  readonly #serializer = new KeyedSerializer();
  readonly #service: string;

  constructor(service = KEYRING_SERVICE) {
    this.#service = service;
  }

  get(key: string): Promise<string | null> {
    return this.#serializer.run(key, async () => (await keyringEntry(this.#service, key).getPassword()) ?? null);
  }

  set(key: string, value: string): Promise<void> {
    return this.#serializer.run(key, () => keyringEntry(this.#service, key).setPassword(value));
  }

  delete(key: string): Promise<void> {
    return this.#serializer.run(key, async () => {
      await keyringEntry(this.#service, key).deleteCredential();
    });
  }

  /**
   * Null when a Secret Service answers (a round trip of a probe entry), else why not. Tried a few
   * times: at login the keychain daemon may still be starting when Multidesk does.
   */
  static async unavailableReason(service = KEYRING_SERVICE, attempts = 3): Promise<string | null> {
    let reason = 'no answer';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const probe = keyringEntry(service, `probe-${process.pid}`);
        await probe.setPassword('probe');
        const readBack = await probe.getPassword();
        await probe.deleteCredential();
        if (readBack === 'probe') return null;
        reason = 'the keychain did not return what was stored';
      } catch (error) {
        reason = (error as Error).message;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
    return reason;
  }
}
