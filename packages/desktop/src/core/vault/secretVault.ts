import type { VaultInfo } from '@multidesk/protocol';

/**
 * Where an account's secrets (its refresh and access tokens) live. Keyed by account id; every
 * implementation serialises access per key, so a refresh and a delete cannot interleave.
 */
export interface SecretVault {
  readonly info: VaultInfo;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Runs operations on one key one after another; different keys run freely. */
export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    const tail = next.catch(() => {});
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
