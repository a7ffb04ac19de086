import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import type { SecretVault } from '../vault/secretVault.ts';
import { portalRequest } from './portalHttp.ts';

/** What the vault holds for one account. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

export function tokensFromResponse(response: TokenResponse, now: number): StoredTokens {
  return { accessToken: response.access_token, refreshToken: response.refresh_token, expiresAt: now + response.expires_in * 1000 };
}

/** The server refused our refresh token: only a new sign-in helps. */
export class AuthLostError extends Error {}

/** The session was closed (Disconnect, Delete): nothing more is sent. */
export class SessionClosedError extends Error {}

/** A Bitrix24 REST error answer. */
export class RestCallError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, description: string) {
    super(description);
    this.code = code;
    this.status = status;
  }
}

export interface RestResult<T> {
  result: T;
  total?: number;
  next?: number;
}

/** Refresh this long before expiry, so a request never goes out with a token about to die. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * One connected account's REST client. It owns the account's tokens in memory (loaded from the
 * vault once), refreshes them ahead of expiry in a single flight however many calls race, writes
 * the rotated pair to the vault before using it, and stops sending anything once closed.
 */
export class PortalSession {
  readonly #origin: string;
  readonly #vaultKey: string;
  readonly #vault: SecretVault;
  readonly #dispatcher: Dispatcher;
  readonly #now: () => number;
  readonly #onAuthLost: () => void;
  readonly #abort = new AbortController();
  #tokens: StoredTokens | null = null;
  #refreshing: Promise<StoredTokens> | null = null;

  constructor(options: {
    origin: string;
    vaultKey: string;
    vault: SecretVault;
    dispatcher: Dispatcher;
    now?: () => number;
    onAuthLost: () => void;
  }) {
    this.#origin = options.origin;
    this.#vaultKey = options.vaultKey;
    this.#vault = options.vault;
    this.#dispatcher = options.dispatcher;
    this.#now = options.now ?? Date.now;
    this.#onAuthLost = options.onAuthLost;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  close(): void {
    this.#abort.abort();
  }

  /** A valid access token for other channels (the realtime socket); `force` refreshes it first. */
  async accessToken(force = false): Promise<string> {
    const tokens = await this.#validTokens();
    return force ? (await this.#refresh(tokens)).accessToken : tokens.accessToken;
  }

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<RestResult<T>> {
    let tokens = await this.#validTokens();
    let answer = await this.#rest(method, params, tokens.accessToken);
    if (answer.status === 401 && (answer.body?.error === 'expired_token' || answer.body?.error === 'invalid_token')) {
      tokens = await this.#refresh(tokens);
      answer = await this.#rest(method, params, tokens.accessToken);
    }
    const body = answer.body;
    if (answer.status !== 200 || !body || !('result' in body)) {
      throw new RestCallError(
        String(body?.error ?? 'HTTP_ERROR'),
        answer.status,
        String(body?.error_description ?? `HTTP ${answer.status}`),
      );
    }
    return body as unknown as RestResult<T>;
  }

  #rest(method: string, params: Record<string, unknown>, accessToken: string) {
    this.#ensureOpen();
    return portalRequest(this.#dispatcher, `${this.#origin}/rest/${method}`, {
      json: { ...params, auth: accessToken },
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(20_000)]),
    });
  }

  #ensureOpen(): void {
    if (this.closed) throw new SessionClosedError('the account is disconnected');
  }

  async #validTokens(): Promise<StoredTokens> {
    if (!this.#tokens) {
      const stored = await this.#vault.get(this.#vaultKey);
      if (!stored) {
        this.#onAuthLost();
        throw new AuthLostError('no saved sign-in for this account');
      }
      this.#tokens = JSON.parse(stored) as StoredTokens;
    }
    if (this.#tokens.expiresAt - this.#now() < REFRESH_MARGIN_MS) return this.#refresh(this.#tokens);
    return this.#tokens;
  }

  /** Single flight: concurrent callers share one refresh request. */
  #refresh(stale: StoredTokens): Promise<StoredTokens> {
    if (this.#tokens && this.#tokens.accessToken !== stale.accessToken) return Promise.resolve(this.#tokens);
    this.#refreshing ??= this.#doRefresh(stale).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(stale: StoredTokens): Promise<StoredTokens> {
    this.#ensureOpen();
    const answer = await portalRequest(this.#dispatcher, `${this.#origin}/oauth/token/`, {
      form: { grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: stale.refreshToken },
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(20_000)]),
    });
    if (answer.status === 200 && typeof answer.body?.access_token === 'string') {
      const fresh = tokensFromResponse(answer.body as unknown as TokenResponse, this.#now());
      // Saved before use: a crash right after the rotation must not leave us with a dead refresh token.
      await this.#vault.set(this.#vaultKey, JSON.stringify(fresh));
      this.#tokens = fresh;
      return fresh;
    }
    if (answer.status === 400 || answer.status === 401) {
      this.#onAuthLost();
      throw new AuthLostError(String(answer.body?.error_description ?? 'the portal refused the saved sign-in'));
    }
    throw new RestCallError(String(answer.body?.error ?? 'HTTP_ERROR'), answer.status, `token refresh failed (HTTP ${answer.status})`);
  }
}
