import type { RestScope, TokenResponse } from '@multidesk/protocol';
import { createWebhookChecked } from '../src/admin/directory.ts';
import type { TestPortal } from './harness.ts';
import { desktopSignIn } from './signIn.ts';

/** Credentials for REST tests: tokens from the real sign-in endpoints, webhooks as the CLI makes them. */

/** A Bitrix24 token response for `email` on `portalName`, through /oauth/desktop/login and /oauth/token/. */
export function signInAs(portal: TestPortal, portalName: string, email: string): Promise<TokenResponse> {
  return desktopSignIn(portal, portalName, email);
}

/** An inbound webhook's base address, `http://acme.localhost:PORT/rest/<member id>/<secret>`. */
export async function webhookFor(
  portal: TestPortal,
  portalName: string,
  email: string,
  scopes: RestScope[],
): Promise<{ url: string; memberId: number; secret: string }> {
  const hook = await createWebhookChecked(portal.db, portalName, email, scopes, portal.clock.now());
  return { url: `${portal.url(portalName)}/rest/${hook.memberId}/${hook.secret}`, memberId: hook.memberId, secret: hook.secret };
}

export interface RestReply {
  status: number;
  body: any;
  headers: Headers;
}

/** One HTTP request; the reply body parsed as JSON when it is JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<RestReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body, headers: response.headers };
}

/** POST with a JSON body, as the official SDK sends. */
export function postJson(url: string, params: unknown, headers: Record<string, string> = {}): Promise<RestReply> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(params) });
}
