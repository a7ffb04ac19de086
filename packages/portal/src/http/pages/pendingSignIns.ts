import { hashSecret, randomToken } from '../../auth/secrets.ts';

/** A sign-in whose password was accepted and that waits for the second factor. */
export interface PendingSignIn {
  userId: number;
  /** The portal it started on, or null for the network: a pending step is good on that site only. */
  portalId: number | null;
  next: string;
  expiresAt: number;
  failures: number;
}

/** Wrong codes one pending step accepts before the user must enter the password again. */
export const MAX_CODE_FAILURES = 5;

/** Where pending steps live: this process (`PendingSignIns`) or Redis with `serve --redis`, shared by every instance. */
export interface PendingSignInStore {
  readonly ttlMs: number;
  /** Stores a pending step and returns the token that names it. */
  create(entry: Pick<PendingSignIn, 'userId' | 'portalId' | 'next'>): string | Promise<string>;
  get(token: string | undefined, portalId: number | null): PendingSignIn | undefined | Promise<PendingSignIn | undefined>;
  /** Counts a wrong code; returns false when the step is used up (and forgets it). */
  fail(token: string): boolean | Promise<boolean>;
  delete(token: string): void | Promise<void>;
}

/**
 * Server-side state between the password and the code step, keyed by the hash of an opaque
 * random token the browser holds in a short-lived cookie: the password itself is never carried.
 * In memory, like the failure counters: a restart means entering the password again.
 */
export class PendingSignIns implements PendingSignInStore {
  readonly #entries = new Map<string, PendingSignIn>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(ttlMs: number, now: () => number, max = 10_000) {
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#max = max;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Stores a pending step and returns the token that names it. */
  create(entry: Pick<PendingSignIn, 'userId' | 'portalId' | 'next'>): string {
    this.#sweep();
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    const token = randomToken();
    this.#entries.set(hashSecret(token), { ...entry, expiresAt: this.#now() + this.#ttlMs, failures: 0 });
    return token;
  }

  get(token: string | undefined, portalId: number | null): PendingSignIn | undefined {
    if (!token || token.length > 100) return undefined;
    const key = hashSecret(token);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.portalId === portalId ? entry : undefined;
  }

  /** Counts a wrong code; returns false when the step is used up (and forgets it). */
  fail(token: string): boolean {
    const key = hashSecret(token);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    entry.failures += 1;
    if (entry.failures < MAX_CODE_FAILURES) return true;
    this.#entries.delete(key);
    return false;
  }

  delete(token: string): void {
    this.#entries.delete(hashSecret(token));
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
