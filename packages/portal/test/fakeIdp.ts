import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Claims = Record<string, unknown>;

export interface FakeIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Rewrites the ID token's claims before signing (another issuer, audience, expiry...). */
  tamper: (claims: Claims) => Claims;
  /** Signs with this key instead of the published one when set. */
  signWith: KeyObject | null;
  /** Requests by path, to count discovery. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

function jwt(claims: Claims, key: KeyObject, kid: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

async function body(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/**
 * A scripted OpenID provider for the relying party's checks: /authorize answers at once with a
 * code for `subject`, and the token endpoint returns an ID token the test may tamper with. It
 * checks the client's secret and PKCE like a real one.
 */
export async function startFakeIdp(account: { sub: string; email: string }): Promise<FakeIdp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', idp.issuer);
    idp.hits.set(url.pathname, (idp.hits.get(url.pathname) ?? 0) + 1);
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: idp.issuer,
        authorization_endpoint: `${idp.issuer}/authorize`,
        token_endpoint: `${idp.issuer}/token`,
        jwks_uri: `${idp.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('base64url');
      const redirectUri = url.searchParams.get('redirect_uri') as string;
      codes.set(code, {
        nonce: url.searchParams.get('nonce') as string,
        challenge: url.searchParams.get('code_challenge') as string,
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') as string);
      response.writeHead(303, { location: back.href });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      const form = await body(request);
      // RFC 6749 §2.3.1: both halves form-urlencoded before base64.
      const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      const [id = '', secret = ''] = basic.split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      if (id !== idp.clientId || secret !== idp.clientSecret) return json(401, { error: 'invalid_client' });
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      const now = Math.floor(Date.now() / 1000);
      const claims = idp.tamper({
        iss: idp.issuer,
        aud: idp.clientId,
        sub: account.sub,
        email: account.email,
        email_verified: true,
        nonce: grant.nonce,
        iat: now,
        exp: now + 300,
      });
      return json(200, {
        access_token: randomBytes(16).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: jwt(claims, idp.signWith ?? privateKey, kid),
      });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const idp: FakeIdp = {
    issuer: `http://localhost:${(server.address() as AddressInfo).port}`,
    clientId: 'fake-portal',
    clientSecret: 'fake-secret',
    tamper: (claims) => claims,
    signWith: null,
    hits: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return idp;
}
