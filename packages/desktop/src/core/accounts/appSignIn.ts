import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type AppStartRequest, SSO_LOOPBACK_CALLBACK_PATH, type SsoStartResult, type TokenResponse } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { type LoopbackCallback, listenOnLoopback } from '../portal/loopbackRedirect.ts';
import { isLoopback, normalizePortalAddress } from '../portal/portalAddress.ts';
import { PortalUnreachableError, portalRequest } from '../portal/portalHttp.ts';
import { restResult } from '../portal/portalSession.ts';
import type { SettingsStore } from '../settings.ts';
import { accountHolder, type BitrixProfile } from './accountHolder.ts';
import type { AccountManager } from './accountManager.ts';
import type { BrowserFinal, BrowserFlows } from './browserFlows.ts';
import { tokensFromResponse } from './credentials.ts';
import { missingScopesOf } from './neededScopes.ts';

/** Bitrix24's own OAuth server, for portals that do not name another (PROTOCOL.md §1.3). */
export const DEFAULT_OAUTH_SERVER = 'oauth.bitrix.info';

/** `local.64ccbcf7db22b1.98148679` or `app.573ad8a0346747.09223434`, and what other servers issue. */
const CLIENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const HOST = /^[a-z0-9.-]+(?::\d{1,5})?$/i;

type Failed = Extract<BrowserFinal, { status: 'failed' }>;
const failed = (error: Failed['error'], message: string, detail?: string): Failed => ({
  status: 'failed',
  error,
  message,
  ...(detail ? { detail } : {}),
});

interface AppTarget {
  origin: string;
  host: string;
  clientId: string;
  clientSecret: string;
}

/** A port the system lends now; kept for the profile from then on. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * "Connect with a Bitrix24 app": a local or Marketplace app's keys. The browser goes to the
 * portal's `/oauth/authorize/?client_id&state`; the portal sends it back to the app's handler URL,
 * this profile's fixed loopback port, with `code, domain, member_id, scope, server_domain`; the code
 * and the secret are exchanged at the token server the answer names. The secret goes there and into
 * the vault, nowhere else.
 */
export class AppSignIns {
  readonly #manager: AccountManager;
  readonly #dispatcher: Dispatcher;
  readonly #settings: SettingsStore;
  readonly #browser: BrowserFlows;
  readonly #fixedPort: number | undefined;

  constructor(options: {
    manager: AccountManager;
    dispatcher: Dispatcher;
    settings: SettingsStore;
    browser: BrowserFlows;
    /** `--oauth-redirect-port`: overrides the profile's own. */
    redirectPort?: number;
  }) {
    this.#manager = options.manager;
    this.#dispatcher = options.dispatcher;
    this.#settings = options.settings;
    this.#browser = options.browser;
    this.#fixedPort = options.redirectPort;
  }

  async #port(): Promise<number> {
    if (this.#fixedPort !== undefined) return this.#fixedPort;
    const saved = this.#settings.get().appRedirectPort;
    if (saved !== undefined) return saved;
    const port = await freeLoopbackPort();
    await this.#settings.update({ ...this.#settings.get(), appRedirectPort: port });
    return port;
  }

  /** The handler URL to register in the app (the same every time for this profile). */
  async handlerUrl(): Promise<string> {
    return `http://127.0.0.1:${await this.#port()}${SSO_LOOPBACK_CALLBACK_PATH}`;
  }

  async start(request: AppStartRequest): Promise<SsoStartResult> {
    const address = normalizePortalAddress(request.address);
    if (!address.ok) return { ok: false, error: 'invalid_address', message: 'Enter the Bitrix24 address, like acme.bitrix24.com.' };
    const clientId = request.clientId.trim();
    const clientSecret = request.clientSecret.trim();
    if (!CLIENT_ID.test(clientId)) {
      return {
        ok: false,
        error: 'invalid_app',
        message: 'The client ID is the app’s code from Bitrix24, like local.64ccbcf7db22b1.98148679.',
      };
    }
    if (/\s/.test(clientSecret))
      return { ok: false, error: 'invalid_app', message: 'The client secret has no spaces: copy it again from Bitrix24.' };
    const host = new URL(address.origin).host;
    const target: AppTarget = { origin: address.origin, host, clientId, clientSecret };

    const port = await this.#port();
    const state = randomBytes(32).toString('base64url');
    let listener: Awaited<ReturnType<typeof listenOnLoopback>>;
    try {
      listener = await listenOnLoopback(state, port);
    } catch (error) {
      return {
        ok: false,
        error: 'server_error',
        message: `The app's handler port ${port} is taken (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Close what uses it, or start Multidesk with --oauth-redirect-port and register that port in the app.`,
      };
    }
    const start = new URL('/oauth/authorize/', address.origin);
    start.search = new URLSearchParams({ client_id: clientId, state }).toString();
    return this.#browser.begin({
      portal: host,
      startUrl: start.href,
      listener,
      redeem: (callback) => this.#redeem(target, callback),
      browserHint: 'Set a default browser, or name one with --sso-browser.',
    });
  }

  async #redeem(target: AppTarget, callback: LoopbackCallback): Promise<BrowserFinal> {
    const { params } = callback;
    const code = params.get('code');
    if (!code) {
      const reason = params.get('error_description') ?? params.get('error') ?? undefined;
      return failed('access_denied', `${target.host} did not authorize the app.`, reason?.slice(0, 300));
    }
    // The answer names the portal it came from: one that is not ours is not this sign-in's.
    const domain = params.get('domain')?.toLowerCase();
    if (domain && domain !== target.host.toLowerCase()) {
      return failed('server_error', `The answer came from ${domain.slice(0, 100)}, not from ${target.host}. Nothing was saved.`);
    }
    const serverDomain = params.get('server_domain') || DEFAULT_OAUTH_SERVER;
    if (!HOST.test(serverDomain)) return failed('server_error', `${target.host} named a token server that is not a host name.`);
    const tokenUrl = `${isLoopback(serverDomain.replace(/:\d+$/, '').toLowerCase()) ? 'http' : 'https'}://${serverDomain}/oauth/token/`;

    let answer: Awaited<ReturnType<typeof portalRequest>>;
    try {
      answer = await portalRequest(this.#dispatcher, tokenUrl, {
        form: { grant_type: 'authorization_code', client_id: target.clientId, client_secret: target.clientSecret, code },
      });
    } catch (error) {
      if (error instanceof PortalUnreachableError) return failed('unreachable', `The token server ${serverDomain} cannot be reached.`);
      throw error;
    }
    if (answer.status !== 200 || typeof answer.body?.access_token !== 'string' || typeof answer.body.refresh_token !== 'string') {
      const error = String(answer.body?.error ?? `HTTP ${answer.status}`);
      const detail = typeof answer.body?.error_description === 'string' ? answer.body.error_description : undefined;
      if (error === 'invalid_client') {
        return failed(
          'invalid_app',
          'The token server refused the app’s keys: check the client secret (and that the app is installed).',
          detail,
        );
      }
      if (error === 'invalid_grant')
        return failed('server_error', 'The authorization expired before it could be used (30 seconds). Start again.', detail);
      return failed('server_error', `The token server did not give tokens (${error}).`, detail);
    }
    const tokens = answer.body as unknown as TokenResponse;
    const credential = {
      ...tokensFromResponse(tokens, Date.now()),
      kind: 'app' as const,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      tokenUrl,
    };
    // Bitrix24's code exchange names no user: ask the portal who signed in.
    let who: BitrixProfile;
    try {
      const me = await portalRequest(this.#dispatcher, `${target.origin}/rest/user.current`, { json: { auth: credential.accessToken } });
      who = me.status === 200 ? restResult<typeof who>(me).result : {};
    } catch {
      who = {};
    }
    const userId = Number(tokens.user_id ?? who.ID);
    if (!Number.isInteger(userId) || userId <= 0) return failed('server_error', `${target.host} did not say who signed in (user.current).`);
    const scopes = typeof tokens.scope === 'string' ? tokens.scope.split(',').map((s) => s.trim()) : [];
    const { account } = await this.#manager.add({
      origin: target.origin,
      kind: 'app',
      credential,
      portalTitle: target.host,
      userId,
      ...accountHolder(who, userId),
      missingScopes: missingScopesOf(scopes),
    });
    return { status: 'account', account };
  }
}
