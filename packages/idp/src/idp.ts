import { generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { accountClaims, DEMO_ACCOUNTS, type IdpAccount } from './accounts.ts';
import { errorPage, PAGE_HEADERS, signInPage } from './pages.ts';

export { DEMO_ACCOUNTS, DEMO_IDP_PASSWORD, type IdpAccount } from './accounts.ts';

export const DEMO_CLIENT_ID = 'multidesk-portal';
export const DEMO_CLIENT_SECRET = 'multidesk-demo-secret';
export const DEMO_IDP_PORT = 8025;

/** The only redirect URIs the demo client may use: a portal's SSO callback on `*.localhost`, any port. */
export const REDIRECT_URI_PATTERN = 'http://*.localhost:*/sso/callback';

export interface IdpOptions {
  /** 0 picks a free port. Default 8025. */
  port?: number;
  /** Who can sign in. Default: the demo accounts (anna, dora). */
  accounts?: readonly IdpAccount[];
  clientId?: string;
  clientSecret?: string;
  /** ID token lifetime in seconds (oidc-provider's default is an hour). */
  idTokenTtlSeconds?: number;
}

export interface RunningIdp {
  /** `http://localhost:<port>` */
  issuer: string;
  port: number;
  provider: Provider;
  close(): Promise<void>;
}

/** True for `http://<name>.localhost[:port]/sso/callback` and nothing else (no query, fragment or credentials). */
export function isPortalCallback(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'http:' &&
    /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+localhost$/.test(url.hostname) &&
    url.pathname === '/sso/callback' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    // Whatever the URL parser accepted must be exactly what was asked for: no normalised tricks.
    url.href === value
  );
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, PAGE_HEADERS);
  response.end(html);
}

function configuration(options: Required<Pick<IdpOptions, 'clientId' | 'clientSecret'>> & IdpOptions, accounts: readonly IdpAccount[]) {
  const config: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        client_name: 'Multidesk portal',
        // A placeholder to satisfy registration: the real check is `redirectUriAllowed` below.
        redirect_uris: ['http://portal.localhost/sso/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    responseTypes: ['code'],
    pkce: { required: () => true },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 10 * 60,
      IdToken: options.idTokenTtlSeconds ?? 60 * 60,
      Interaction: 60 * 60,
      Grant: 24 * 60 * 60,
      Session: 24 * 60 * 60,
    },
    findAccount: (_ctx, sub) => {
      const account = accounts.find((a) => a.sub === sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => accountClaims(account) as { sub: string } };
    },
    // Consent is implied for the one first-party client: every scope and claim it asks for is granted.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session?.grantIdFor(oidc.client?.clientId as string);
      if (grantId) {
        const existing = await oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new oidc.provider.Grant({ clientId: oidc.client?.clientId as string, accountId: oidc.session?.accountId as string });
      grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
      if (oidc.requestParamClaims?.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    // The default error page loads a web font; ours loads nothing.
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.set(PAGE_HEADERS);
      ctx.body = errorPage('Sign-in error', `${out.error}${out.error_description ? `: ${out.error_description}` : ''}`);
    },
  };
  return config;
}

/** Binds both loopback addresses (localhost may resolve to either) on one port. */
async function listenLoopback(port: number, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server[]> {
  const listen = (server: Server, host: string, p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const v4 = createServer(handler);
  await listen(v4, '127.0.0.1', port);
  const servers = [v4];
  const v6 = createServer(handler);
  try {
    await listen(v6, '::1', (v4.address() as AddressInfo).port);
    servers.push(v6);
  } catch {
    // No IPv6 loopback here (or the port is taken there): 127.0.0.1 alone still serves `localhost`.
  }
  return servers;
}

/**
 * The demo OpenID Connect provider (panva's oidc-provider): one confidential client, code flow with
 * PKCE only, RS256 ID tokens signed with a key made at start, its own sign-in form, consent implied.
 * Everything is in memory; nothing is fetched from anywhere.
 */
export async function startIdp(options: IdpOptions = {}): Promise<RunningIdp> {
  const accounts = options.accounts ?? DEMO_ACCOUNTS;
  const clientId = options.clientId ?? DEMO_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DEMO_CLIENT_SECRET;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const servers = await listenLoopback(options.port ?? DEMO_IDP_PORT, (req, res) => handle(req, res));
  const port = ((servers[0] as Server).address() as AddressInfo).port;
  const issuer = `http://localhost:${port}`;
  const provider = new Provider(issuer, configuration({ ...options, clientId, clientSecret }, accounts));
  provider.Client.prototype.redirectUriAllowed = isPortalCallback;
  const providerCallback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendHtml(res, 400, errorPage('Sign-in expired', 'Go back to the application and start again.'));
    const clientName = (await provider.Client.find(details.params.client_id as string))?.clientName ?? 'the application';
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') return sendHtml(res, 200, signInPage({ uid, clientName }));
      // Should loadExistingGrant not have covered it: grant what is missing and carry on.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session?.accountId as string, clientId: details.params.client_id as string });
      if (!grant) throw new Error('grant not found');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    }
    if (req.method !== 'POST') return sendHtml(res, 405, errorPage('Not allowed', 'Use the sign-in form.'));
    if (action === '/abort') {
      const result = { error: 'access_denied', error_description: 'The user cancelled the sign-in.' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    const form = await readForm(req);
    const login = (form.get('login') ?? '').trim().toLowerCase();
    const account = accounts.find((a) => (a.login ?? a.email).toLowerCase() === login);
    // Compare against something even for an unknown login, so the answer's timing says nothing.
    const passwordOk = sameSecret(account?.password ?? randomBytes(16).toString('hex'), form.get('password') ?? '');
    if (!account || !passwordOk) {
      return sendHtml(res, 401, signInPage({ uid, clientName, login, error: 'The login or password is wrong.' }));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login|\/abort)?$/.exec(path);
    if (!match) return providerCallback(req, res);
    interaction(req, res, match[1] as string, match[2]).catch((err: Error) => {
      if (res.headersSent) return res.end();
      if (err.name === 'SessionNotFound') {
        return sendHtml(
          res,
          400,
          errorPage('Sign-in expired', 'This sign-in is unknown or has expired. Go back to the application and start again.'),
        );
      }
      console.error('idp interaction failed:', err);
      sendHtml(res, 500, errorPage('Something went wrong', 'Internal Server Error.'));
    });
  };

  return {
    issuer,
    port,
    provider,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
