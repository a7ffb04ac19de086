import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import {
  type StoredAppTokens,
  type StoredCredential,
  type StoredTokens,
  type StoredWebhook,
  tokensFromResponse,
} from '../accounts/credentials.ts';
import type { TokenStore } from '../accounts/tokenStore.ts';
import { batchCommand } from './batchCommand.ts';
import { type PortalResponse, PortalUnreachableError, portalRequest } from './portalHttp.ts';
import { type CallPriority, RestBudget } from './restBudget.ts';

/** A credential that is refreshed: Multidesk's own sign-in or an app's pair. */
type Tokens = StoredTokens | StoredAppTokens;

/** The server refused our refresh token: only a new sign-in helps. */
export class AuthLostError extends Error {}

/** The session was closed (Disconnect, Delete): nothing more is sent. */
export class SessionClosedError extends Error {}

/** A Bitrix24 REST error answer. */
export class RestCallError extends Error {
  readonly code: string;
  readonly status: number;
  /** OPERATION_TIME_LIMIT: when the method may be called again (epoch ms, from `time.operating_reset_at`). */
  readonly resetAt: number | undefined;
  constructor(code: string, status: number, description: string, resetAt?: number) {
    super(description);
    this.code = code;
    this.status = status;
    this.resetAt = resetAt;
  }
}

/** `batch`'s answer; PHP sends an empty map as `[]`. */
interface BatchResult {
  result?: Record<string, unknown>;
  result_error?: Record<string, { error: string; error_description?: string }> | [];
  result_total?: Record<string, number> | [];
  result_next?: Record<string, number> | [];
}

export interface RestResult<T> {
  result: T;
  total?: number;
  next?: number;
}

/** Refresh this long before expiry, so a request never goes out with a token about to die. */
const REFRESH_MARGIN_MS = 60_000;
/** How often a call that met the portal's rate limit is tried again before its error is shown. */
const RATE_LIMIT_RETRIES = 8;

/** What Bitrix24 answers a webhook whose code is wrong, deleted or expired (REST apauth). */
const WEBHOOK_REFUSALS = new Set(['INVALID_CREDENTIALS', 'NO_AUTH_FOUND', 'invalid_token', 'expired_token']);

/** The REST address of a webhook's method: the code is part of the path, as Bitrix24 shows it. */
export const webhookMethodUrl = (origin: string, webhook: Pick<StoredWebhook, 'userId' | 'code'>, method: string) =>
  `${origin}/rest/${webhook.userId}/${encodeURIComponent(webhook.code)}/${method}`;

/** A REST answer: its `result`, or the Bitrix24 error it carries as RestCallError. */
export function restResult<T>(answer: PortalResponse): RestResult<T> {
  const body = answer.body;
  if (answer.status !== 200 || !body || !('result' in body)) {
    const reset = (body?.time as { operating_reset_at?: unknown } | undefined)?.operating_reset_at;
    throw new RestCallError(
      String(body?.error ?? 'HTTP_ERROR'),
      answer.status,
      String(body?.error_description ?? `HTTP ${answer.status}`),
      typeof reset === 'number' ? reset * 1000 : undefined,
    );
  }
  return body as unknown as RestResult<T>;
}

/**
 * One connected account's REST client. It holds the account's credential in memory (read from the
 * TokenStore once): a webhook's code goes in the path; a token pair is refreshed ahead of expiry in
 * a single flight however many calls race, and the rotated pair is handed to the TokenStore before
 * it is used. Nothing is sent once closed.
 */
export class PortalSession {
  readonly #origin: string;
  readonly #accountId: string;
  readonly #tokens: TokenStore;
  readonly #dispatcher: Dispatcher;
  readonly #now: () => number;
  readonly #onAuthLost: () => void;
  readonly #budget: RestBudget;
  readonly #abort = new AbortController();
  #credential: StoredCredential | null = null;
  #refreshing: Promise<Tokens> | null = null;

  constructor(options: {
    origin: string;
    accountId: string;
    tokens: TokenStore;
    dispatcher: Dispatcher;
    now?: () => number;
    onAuthLost: () => void;
    /** The portal's request budget, shared with every other account on the same address. */
    budget?: RestBudget;
  }) {
    this.#origin = options.origin;
    this.#accountId = options.accountId;
    this.#tokens = options.tokens;
    this.#dispatcher = options.dispatcher;
    this.#now = options.now ?? Date.now;
    this.#onAuthLost = options.onAuthLost;
    this.#budget = options.budget ?? new RestBudget({ now: this.#now });
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  close(): void {
    this.#abort.abort();
  }

  /**
   * One REST call within the portal's budget. The portal's rate limits are waited out and the
   * call sent again, so that a user sees them only when they last: 503 QUERY_LIMIT_EXCEEDED up to
   * RATE_LIMIT_RETRIES times, 429 OPERATION_TIME_LIMIT once, after `operating_reset_at`.
   */
  async call<T>(method: string, params: Record<string, unknown> = {}, options: { priority?: CallPriority } = {}): Promise<RestResult<T>> {
    let paused = false;
    for (let attempt = 0; ; attempt++) {
      await this.#budget.acquire(options.priority ?? 'interactive', this.#abort.signal).catch(() => this.#ensureOpen());
      try {
        return await this.#call<T>(method, params);
      } catch (error) {
        if (error instanceof PortalUnreachableError) this.#budget.refund();
        if (!(error instanceof RestCallError)) throw error;
        if (error.code === 'QUERY_LIMIT_EXCEEDED' && attempt < RATE_LIMIT_RETRIES) this.#budget.overflowed();
        else if (error.code === 'OPERATION_TIME_LIMIT' && !paused) {
          paused = true;
          this.#budget.pauseUntil(error.resetAt);
        } else throw error;
      }
    }
  }

  /**
   * Several calls in one request (Bitrix24's `batch`, one request of the budget): each answer by
   * its key. Stops at the first that fails, which is thrown as its RestCallError.
   */
  async batch<T extends Record<string, unknown>>(
    commands: { [K in keyof T]: [method: string, params?: Record<string, unknown>] },
    options: { priority?: CallPriority } = {},
  ): Promise<{ [K in keyof T]: RestResult<T[K]> }> {
    const cmd = Object.fromEntries(Object.entries(commands).map(([key, [method, params]]) => [key, batchCommand(method, params)]));
    const answer = await this.call<BatchResult>('batch', { halt: 1, cmd }, options);
    const { result, result_error: errors, result_total: totals, result_next: nexts } = answer.result;
    for (const key of Object.keys(commands)) {
      const failure = Array.isArray(errors) ? undefined : errors?.[key];
      if (failure) throw new RestCallError(failure.error, 400, failure.error_description ?? failure.error);
      if (!result || !(key in result)) throw new RestCallError('BATCH_INCOMPLETE', 200, `the batch answered nothing for ${key}`);
    }
    return Object.fromEntries(
      Object.keys(commands).map((key) => {
        const total = Array.isArray(totals) ? undefined : totals?.[key];
        const next = Array.isArray(nexts) ? undefined : nexts?.[key];
        return [key, { result: result?.[key], ...(total !== undefined ? { total } : {}), ...(next !== undefined ? { next } : {}) }];
      }),
    ) as { [K in keyof T]: RestResult<T[K]> };
  }

  async #call<T>(method: string, params: Record<string, unknown>): Promise<RestResult<T>> {
    const credential = await this.#loadCredential();
    if (credential.kind === 'webhook') {
      const answer = await this.#rest(webhookMethodUrl(this.#origin, credential, method), params);
      if (answer.status === 401 && WEBHOOK_REFUSALS.has(String(answer.body?.error))) {
        this.#onAuthLost();
        throw new AuthLostError('Bitrix24 no longer accepts this webhook: it was deleted, changed or has expired');
      }
      return restResult<T>(answer);
    }
    let tokens = await this.#validTokens(credential);
    let answer = await this.#rest(`${this.#origin}/rest/${method}`, { ...params, auth: tokens.accessToken });
    if (answer.status === 401 && (answer.body?.error === 'expired_token' || answer.body?.error === 'invalid_token')) {
      tokens = await this.#refresh(tokens);
      answer = await this.#rest(`${this.#origin}/rest/${method}`, { ...params, auth: tokens.accessToken });
    }
    return restResult<T>(answer);
  }

  #rest(url: string, params: Record<string, unknown>) {
    this.#ensureOpen();
    return portalRequest(this.#dispatcher, url, {
      json: params,
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(20_000)]),
    });
  }

  #ensureOpen(): void {
    if (this.closed) throw new SessionClosedError('the account is disconnected');
  }

  async #loadCredential(): Promise<StoredCredential> {
    if (!this.#credential) {
      const stored = await this.#tokens.get(this.#accountId);
      if (!stored) {
        this.#onAuthLost();
        throw new AuthLostError('no saved sign-in for this account');
      }
      this.#credential = stored;
    }
    return this.#credential;
  }

  #validTokens(tokens: Tokens): Promise<Tokens> {
    if (tokens.expiresAt - this.#now() < REFRESH_MARGIN_MS) return this.#refresh(tokens);
    return Promise.resolve(tokens);
  }

  /** Single flight: concurrent callers share one refresh request. */
  #refresh(stale: Tokens): Promise<Tokens> {
    const current = this.#credential;
    if (current && current.kind !== 'webhook' && current.accessToken !== stale.accessToken) return Promise.resolve(current);
    this.#refreshing ??= this.#doRefresh(stale).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(stale: Tokens): Promise<Tokens> {
    this.#ensureOpen();
    // An app refreshes at its token server with its own keys (a POST form: the secret stays out of
    // URLs and their logs); Multidesk's own sign-in at the portal, as its public client.
    const [url, form] =
      stale.kind === 'app'
        ? [
            stale.tokenUrl,
            {
              grant_type: 'refresh_token',
              client_id: stale.clientId,
              client_secret: stale.clientSecret,
              refresh_token: stale.refreshToken,
            },
          ]
        : [
            `${this.#origin}/oauth/token/`,
            { grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: stale.refreshToken },
          ];
    const answer = await portalRequest(this.#dispatcher, url, {
      form,
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(20_000)]),
    });
    if (answer.status === 200 && typeof answer.body?.access_token === 'string') {
      const { accessToken, refreshToken, expiresAt } = tokensFromResponse(answer.body as unknown as TokenResponse, this.#now());
      const fresh: Tokens = { ...stale, accessToken, refreshToken, expiresAt };
      // Saved before use: a crash right after the rotation must not leave us with a dead refresh token.
      await this.#tokens.save(this.#accountId, fresh);
      this.#credential = fresh;
      return fresh;
    }
    if (answer.status === 400 || answer.status === 401) {
      this.#onAuthLost();
      throw new AuthLostError(String(answer.body?.error_description ?? 'the portal refused the saved sign-in'));
    }
    throw new RestCallError(String(answer.body?.error ?? 'HTTP_ERROR'), answer.status, `token refresh failed (HTTP ${answer.status})`);
  }
}
