import type { VaultInfo } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import type { SecretVault } from '../vault/secretVault.ts';
import { parseCredential, refreshTokenOf, type StoredCredential, serializeCredential } from './credentials.ts';
import { RevocationQueue } from './revocationQueue.ts';

/**
 * The one owner of accounts' secrets: every credential is read from and written to the vault here
 * (a new sign-in, a token pair rotated by its session, a second sign-in replacing the first), and
 * every sign-in that ends is revoked here, queued while its portal cannot be reached. Sessions,
 * the account list and the sign-in flows hold no vault of their own.
 */
export class TokenStore {
  readonly #vault: SecretVault;
  readonly #revocations: RevocationQueue;
  readonly #now: () => number;

  constructor(options: { vault: SecretVault; dispatcher: Dispatcher; revocationsFile: string; now?: () => number }) {
    this.#vault = options.vault;
    this.#revocations = new RevocationQueue(options.revocationsFile, options.vault, options.dispatcher);
    this.#now = options.now ?? Date.now;
  }

  /** Picks up the revocations a previous run could not send, and sends them. */
  load(): Promise<void> {
    return this.#revocations.load();
  }

  get vaultInfo(): VaultInfo {
    return this.#vault.info;
  }

  /** Revocations still waiting for their portal. */
  get pendingRevocations(): number {
    return this.#revocations.size;
  }

  flushRevocations(): Promise<void> {
    return this.#revocations.flush();
  }

  async get(accountId: string): Promise<StoredCredential | null> {
    const text = await this.#vault.get(accountId);
    return text === null ? null : parseCredential(text);
  }

  async has(accountId: string): Promise<boolean> {
    return (await this.#vault.get(accountId)) !== null;
  }

  /** Keeps a credential: a new account's, or a pair its session just rotated (saved before it is used). */
  save(accountId: string, credential: StoredCredential): Promise<void> {
    return this.#vault.set(accountId, serializeCredential(credential));
  }

  /** A second sign-in to the same account: the new credential replaces the old, whose refresh token is revoked. */
  async replace(accountId: string, origin: string, credential: StoredCredential): Promise<void> {
    const old = refreshTokenOf(await this.#vault.get(accountId));
    await this.save(accountId, credential);
    if (old) void this.#revocations.revoke(origin, old, `${accountId}-${this.#now()}`);
  }

  /** Delete: the sign-in is revoked on the server (queued if it is down), then its secrets go. */
  async forget(accountId: string, origin: string): Promise<void> {
    // A webhook has nothing to revoke from outside: the user deletes it in Bitrix24.
    const refreshToken = refreshTokenOf(await this.#vault.get(accountId));
    if (refreshToken) await this.#revocations.revoke(origin, refreshToken, accountId);
    await this.#vault.delete(accountId);
  }

  close(): void {
    this.#revocations.stop();
  }
}
