import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, isPortalCallback, type RunningIdp, startIdp } from '../src/idp.ts';

const REDIRECT = 'http://initech.localhost:8024/sso/callback';

/** Follows one browser's way through the provider: cookies by name (paths ignored), redirects by hand. */
class Jar {
  cookies = new Map<string, string>();
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: response.status, location: response.headers.get('location'), text: await response.text(), headers: response.headers };
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('demo identity provider', () => {
  let idp: RunningIdp;
  before(async () => {
    idp = await startIdp({ port: 0 });
  });
  after(() => idp.close());

  function authorizeUrl(params: Record<string, string> = {}) {
    const url = new URL(`${idp.issuer}/auth`);
    const base = {
      client_id: DEMO_CLIENT_ID,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: REDIRECT,
      state: 's1',
      nonce: 'n1',
    };
    for (const [k, v] of Object.entries({ ...base, ...params })) url.searchParams.set(k, v);
    return url.href;
  }

  /** From the authorization request to the form: returns the form's action. */
  async function openForm(jar: Jar, url: string) {
    const first = await jar.go(url);
    assert.equal(first.status, 303, first.text);
    const page = await jar.go(new URL(first.location as string, idp.issuer).href);
    assert.equal(page.status, 200);
    return page;
  }

  test('its discovery document names the issuer, code flow only, S256 and RS256', async () => {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.issuer, idp.issuer);
    assert.deepEqual(doc.response_types_supported, ['code']);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
  });

  test('redirect URIs: a portal callback on *.localhost at any port, nothing else', () => {
    assert.equal(isPortalCallback('http://initech.localhost:8024/sso/callback'), true);
    assert.equal(isPortalCallback('http://acme.localhost:40123/sso/callback'), true);
    for (const bad of [
      'http://localhost:8024/sso/callback',
      'https://initech.localhost:8024/sso/callback',
      'http://initech.localhost.evil.com/sso/callback',
      'http://evil.com/sso/callback',
      'http://initech.localhost:8024/other',
      'http://initech.localhost:8024/sso/callback?x=1',
      'http://user@initech.localhost:8024/sso/callback',
      'http://INITECH.localhost:8024/sso/callback',
    ]) {
      assert.equal(isPortalCallback(bad), false, bad);
    }
  });

  test('an authorization request without PKCE, or to a foreign redirect URI, is refused', async () => {
    const noPkce = await new Jar().go(authorizeUrl());
    assert.equal(noPkce.status, 303);
    assert.match(noPkce.location ?? '', /^http:\/\/initech\.localhost:8024\/sso\/callback\?error=invalid_request/);
    const foreign = await new Jar().go(
      authorizeUrl({ redirect_uri: 'http://evil.com/sso/callback', code_challenge: pkce().challenge, code_challenge_method: 'S256' }),
    );
    assert.equal(foreign.status, 400);
    assert.match(foreign.text, /redirect_uri did not match any of the client&#39;s registered redirect_uris|invalid_redirect_uri/);
  });

  test('the sign-in form has Login, Password and Sign in; a wrong password is shown as an alert', async () => {
    const jar = new Jar();
    const page = await openForm(jar, authorizeUrl({ code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
    assert.match(page.text, /<label for="login">Login<\/label>\s*<input id="login" name="login"/);
    assert.match(page.text, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    assert.match(page.text, /<button type="submit">Sign in<\/button>/);
    assert.doesNotMatch(page.text, /https?:\/\/(?!localhost)/, 'nothing is loaded from elsewhere');
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] as string;
    const wrong = await jar.go(new URL(action, idp.issuer).href, { method: 'POST', form: { login: 'dora@example.com', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /role="alert">The login or password is wrong\./);
  });

  test('signing in returns a code whose exchange gives an RS256 ID token for the account, with e-mail from userinfo', async () => {
    const jar = new Jar();
    const { verifier, challenge } = pkce();
    const page = await openForm(jar, authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }));
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] as string;
    let step = await jar.go(new URL(action, idp.issuer).href, {
      method: 'POST',
      form: { login: 'Dora@Example.com', password: 'multidesk-demo' },
    });
    while (step.location?.startsWith('/') || step.location?.startsWith(idp.issuer))
      step = await jar.go(new URL(step.location, idp.issuer).href);
    const back = new URL(step.location as string);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('state'), 's1');
    assert.equal(back.searchParams.get('iss'), idp.issuer);
    const code = back.searchParams.get('code') as string;

    const token = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
    });
    const tokens = (await token.json()) as { id_token: string; access_token: string };
    assert.equal(token.status, 200, JSON.stringify(tokens));
    const [header, payload, signature] = tokens.id_token.split('.') as [string, string, string];
    const head = JSON.parse(Buffer.from(header, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(head.alg, 'RS256');
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.aud, DEMO_CLIENT_ID);
    assert.equal(claims.nonce, 'n1');
    assert.equal(claims.sub, 'idp-dora-0002');
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: ({ kid: string } & Record<string, unknown>)[] };
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === head.kid) as never, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')));

    const me = (await (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(me, {
      sub: 'idp-dora-0002',
      email: 'dora@example.com',
      email_verified: true,
      name: 'Dora Klein',
      given_name: 'Dora',
      family_name: 'Klein',
    });
  });

  test('Cancel sends the browser back with error=access_denied', async () => {
    const jar = new Jar();
    const page = await openForm(jar, authorizeUrl({ code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
    const action = /formaction="([^"]+)"/.exec(page.text)?.[1] as string;
    let step = await jar.go(new URL(action, idp.issuer).href, { method: 'POST', form: {} });
    while (step.location?.startsWith('/') || step.location?.startsWith(idp.issuer))
      step = await jar.go(new URL(step.location, idp.issuer).href);
    const back = new URL(step.location as string);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 's1');
  });
});

describe('npm run idp', () => {
  const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

  test('prints its issuer, client and users, and serves discovery until stopped', async () => {
    const child = spawn(process.execPath, [MAIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const issuer = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /demo identity provider at (http:\/\/localhost:\d+)/.exec(out);
          if (match && out.includes('set a portal up with')) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      assert.match(out, /client multidesk-portal secret multidesk-demo-secret/);
      assert.match(out, /^dora@example\.com password=multidesk-demo \(Dora Klein\)$/m);
      const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      assert.equal(doc.issuer, issuer);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('a bad port is refused with exit 2', () => {
    const result = spawnSync(process.execPath, [MAIN, '--port', 'eighty'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--port must be 0 to 65535/);
  });
});
