import { randomBytes } from 'node:crypto';
import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import { pkceChallenge } from '../src/auth/pkce.ts';
import type { TestPortal } from './harness.ts';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers };
}

export async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: await response.json() };
}

/** One try of the desktop's password sign-in (`/oauth/desktop/login`): the answer as it comes, right or wrong. */
export function passwordAttempt(base: string, login: string, password: string, deviceName = 'Test desktop') {
  return postJson(`${base}/oauth/desktop/login`, {
    login,
    password,
    client_id: DESKTOP_CLIENT_ID,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    device_name: deviceName,
  });
}

/** The desktop's password sign-in, end to end over HTTP: desktop/login, then the code exchange. */
export async function desktopSignIn(
  portal: Pick<TestPortal, 'url'>,
  portalName: string,
  login: string,
  password = 'multidesk-demo',
  otp?: string,
): Promise<TokenResponse> {
  const pkce = pkcePair();
  const base = portal.url(portalName);
  const login1 = await postJson(`${base}/oauth/desktop/login`, {
    login,
    password,
    ...(otp ? { otp } : {}),
    client_id: DESKTOP_CLIENT_ID,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    device_name: 'Test desktop',
  });
  if (login1.status !== 200) throw new Error(`desktop login failed: ${login1.status} ${JSON.stringify(login1.body)}`);
  const token = await postForm(`${base}/oauth/token/`, {
    grant_type: 'authorization_code',
    client_id: DESKTOP_CLIENT_ID,
    code: login1.body.code,
    code_verifier: pkce.verifier,
  });
  if (token.status !== 200) throw new Error(`code exchange failed: ${token.status} ${JSON.stringify(token.body)}`);
  return token.body as TokenResponse;
}
