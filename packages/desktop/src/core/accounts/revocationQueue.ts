import { readFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { writeFileAtomic } from '../atomicFile.ts';
import { portalRequest } from '../portal/portalHttp.ts';
import type { SecretVault } from '../vault/secretVault.ts';

interface PendingRevocation {
  vaultKey: string;
  origin: string;
}

const RETRY_MS = 30_000;

/**
 * Delete must kill the sign-in on the server even when the server is down at that moment: the
 * refresh token moves to its own vault key, the queue (no secrets in it) is saved, and revocation
 * is retried until the server confirms.
 */
export class RevocationQueue {
  readonly #file: string;
  readonly #vault: SecretVault;
  readonly #dispatcher: Dispatcher;
  #pending: PendingRevocation[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Saves run one after another, in the order asked: the last queue asked for is the one on disk. */
  #saving: Promise<void> = Promise.resolve();

  constructor(file: string, vault: SecretVault, dispatcher: Dispatcher) {
    this.#file = file;
    this.#vault = vault;
    this.#dispatcher = dispatcher;
  }

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.#file, 'utf8')) as { version?: number; pending?: PendingRevocation[] };
      this.#pending = parsed.version === 1 && Array.isArray(parsed.pending) ? parsed.pending : [];
    } catch {
      this.#pending = [];
    }
    if (this.#pending.length > 0) void this.flush();
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Revokes now; if the portal cannot be reached, keeps it for later. */
  async revoke(origin: string, refreshToken: string, accountId: string): Promise<boolean> {
    if (await this.#send(origin, refreshToken)) return true;
    const vaultKey = `revoke:${accountId}`;
    await this.#vault.set(vaultKey, refreshToken);
    this.#pending.push({ vaultKey, origin });
    await this.#save();
    this.#schedule();
    return false;
  }

  async flush(): Promise<void> {
    const done = new Set<PendingRevocation>();
    for (const item of [...this.#pending]) {
      const token = await this.#vault.get(item.vaultKey);
      if (token === null || (await this.#send(item.origin, token))) {
        await this.#vault.delete(item.vaultKey);
        done.add(item);
      }
    }
    // Deletes queued while this ran stay queued.
    this.#pending = this.#pending.filter((item) => !done.has(item));
    await this.#save();
    if (this.#pending.length > 0) this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), RETRY_MS);
    this.#timer.unref();
  }

  async #send(origin: string, refreshToken: string): Promise<boolean> {
    try {
      const answer = await portalRequest(this.#dispatcher, `${origin}/oauth/revoke`, {
        form: { token: refreshToken },
        signal: AbortSignal.timeout(5_000),
      });
      return answer.status === 200;
    } catch {
      return false;
    }
  }

  /** Two saves at once (two accounts deleted while their portal is down) must not let the older queue land last. */
  #save(): Promise<void> {
    const content = JSON.stringify({ version: 1, pending: this.#pending });
    const saved = this.#saving.then(() => writeFileAtomic(this.#file, content));
    this.#saving = saved.catch(() => {});
    return saved;
  }
}
