import assert from 'node:assert/strict';
import type { RestScope, TokenResponse } from '@multidesk/protocol';
import { createAppChecked } from '../src/admin/apps.ts';
import type { TestPortal } from './harness.ts';
import { call } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

const PASSWORD = 'multidesk-demo';
export const APP_HANDLER = 'http://127.0.0.1:8765/callback';

export interface TestApp {
  clientId: string;
  clientSecret: string;
}

/** A local app of `portalName`, as `app create` makes it. */
export async function createTestApp(
  portal: TestPortal,
  portalName: string,
  redirectUri = APP_HANDLER,
  scopes?: readonly RestScope[],
): Promise<TestApp> {
  const created = await createAppChecked(portal.db, { portal: portalName, title: 'Desk app', redirectUri, scopes }, portal.clock.now());
  return { clientId: created.app.client_id, clientSecret: created.clientSecret };
}

/**
 * Runs the app's authorization in a fresh browser: `/oauth/authorize/`, the web sign-in as `who`,
 * and back; returns the handler URL the browser was sent to (with `code`, `state`, `domain` …).
 */
export async function authorizeApp(
  portal: TestPortal,
  portalName: string,
  app: TestApp,
  state = 'xyz',
  who = 'anna@example.com',
): Promise<URL> {
  const browser = new Browser(portal.url(portalName));
  const path = `/oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}&state=${encodeURIComponent(state)}`;
  const first = await browser.get(path);
  assert.equal(first.status, 303, 'not signed in: the sign-in page first');
  const login = new URL(first.location ?? '', portal.url(portalName));
  assert.equal(login.pathname, '/login');
  const signedIn = await browser.post('/login', { login: who, password: PASSWORD, next: login.searchParams.get('next') ?? '' });
  // Not a 303: a browser applies the page's CSP form-action 'self' to every redirect after the
  // form, and the last one leaves for the app's handler. The page moves on by itself instead.
  assert.equal(signedIn.status, 200, signedIn.text);
  const refresh = /^0;url=(\/oauth\/authorize\/\?.+)$/.exec(signedIn.headers.get('refresh') ?? '');
  assert.ok(refresh, `a Refresh header to the authorization, not ${signedIn.headers.get('refresh')}`);
  const back = await browser.get(refresh[1] as string);
  assert.equal(back.status, 302, back.text);
  return new URL(back.location ?? '');
}

/** The network host's `/oauth/token/` (the apps' token server), GET or POST form. */
export function appTokenRequest(portal: TestPortal, params: Record<string, string>, method: 'GET' | 'POST' = 'POST') {
  const query = new URLSearchParams(params);
  return method === 'GET'
    ? call(`${portal.url()}/oauth/token/?${query}`)
    : call(`${portal.url()}/oauth/token/`, { method: 'POST', body: query });
}

/** An app's tokens for `who`, through the whole authorization; fails the test on any error. */
export async function appTokens(portal: TestPortal, portalName: string, app: TestApp, who: string): Promise<TokenResponse> {
  const code = (await authorizeApp(portal, portalName, app, 'state', who)).searchParams.get('code') ?? '';
  const answer = await appTokenRequest(portal, {
    grant_type: 'authorization_code',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    code,
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as TokenResponse;
}
