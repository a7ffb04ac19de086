import { hashSecret, type SecretHash } from './secrets.ts';

/**
 * The hashes of secrets that were accepted lately, so that a client's every request does not hash
 * its token again (SHA-256 was about 4 µs of a REST call's 90). It decides nothing: a secret's hash
 * never changes, and whether the credential still works is the store's (and `ReadCache`'s) answer
 * each time, so a revocation takes effect as before. Only accepted secrets are kept, so made-up
 * tokens cannot churn it; at most `maxEntries`, all dropped when full. The secrets stay in this
 * process's memory, as the requests that carried them do; nothing here is logged or stored.
 */
export class SecretHashes {
  readonly #maxEntries: number;
  readonly #hashes = new Map<string, SecretHash>();

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries;
  }

  /** `hashSecret(secret)`, from memory for a secret that was kept. */
  of(secret: string): SecretHash {
    return this.#hashes.get(secret) ?? hashSecret(secret);
  }

  /** Keeps an accepted secret's hash (from `of`). */
  keep(secret: string, hash: SecretHash): void {
    if (this.#hashes.has(secret)) return;
    if (this.#hashes.size >= this.#maxEntries) this.#hashes.clear();
    this.#hashes.set(secret, hash);
  }

  get size(): number {
    return this.#hashes.size;
  }
}
