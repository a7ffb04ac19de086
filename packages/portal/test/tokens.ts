import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { RestScope, TokenResponse } from '@multidesk/protocol';
import { createWebhookChecked } from '../src/admin/directory.ts';
import { type AccessCheck, checkAccessToken } from '../src/auth/oauthTokens.ts';
import { hashSecret } from '../src/auth/secrets.ts';
import type { Limits } from '../src/http/context.ts';
import { addMember } from '../src/store/members.ts';
import { findPortalByName } from '../src/store/portals.ts';
import type { Portal } from '../src/store/schema.ts';
import { findToken } from '../src/store/tokens.ts';
import { createUser } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { desktopSignIn } from './signIn.ts';

/**
 * A portal and credentials for REST tests: tokens from the real sign-in endpoints, webhooks as the
 * CLI makes them.
 */

export interface RestPortal {
  portal: TestPortal;
  /** `http://acme.localhost:PORT`. */
  acme: string;
}

/**
 * The portal of one REST test file, for its top: `const { portal, acme } = await restPortal();`.
 * Started at once and closed after the file's tests; with `signIn`, that member's access token on acme
 * comes too.
 */
export function restPortal(options?: { limits?: Partial<Limits> }): Promise<RestPortal>;
export function restPortal(options: { limits?: Partial<Limits>; signIn: string }): Promise<RestPortal & { token: string }>;
export async function restPortal(options: { limits?: Partial<Limits>; signIn?: string } = {}): Promise<RestPortal & { token?: string }> {
  const portal = await startTestPortal({ limits: options.limits });
  after(() => portal.close());
  const acme = portal.url('acme');
  if (options.signIn === undefined) return { portal, acme };
  return { portal, acme, token: (await signInAs(portal, 'acme', options.signIn)).access_token };
}

/** A Bitrix24 token response for `email` on `portalName`, through /oauth/desktop/login and /oauth/token/. */
/** What REST makes of an access token on `site` now: the token's own check, without a REST call. */
export async function accessCheck(portal: TestPortal, site: Pick<Portal, 'id'>, token: string): Promise<AccessCheck> {
  return checkAccessToken(await findToken(portal.db, hashSecret(token)), site, portal.app.ctx.now());
}

export function signInAs(portal: Pick<TestPortal, 'url'>, portalName: string, email: string): Promise<TokenResponse> {
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

/**
 * Adds `count` members to a portal, `<prefix><i>@example.com` named `<Prefix><i>`, so that lists
 * cross a page. Written straight to the store: they never sign in, so they need no password.
 */
export async function addColleagues(
  portal: TestPortal,
  portalName: string,
  count: number,
  prefix: string,
  lastName: (i: number) => string = () => 'Colleague',
): Promise<void> {
  const target = await findPortalByName(portal.db, portalName);
  if (!target) throw new Error(`no portal ${portalName}`);
  const now = portal.clock.now();
  for (let i = 1; i <= count; i++) {
    const user = await createUser(portal.db, {
      email: `${prefix}${String(i).padStart(2, '0')}@example.com`,
      password_hash: 'not-a-password-hash',
      name: `${prefix.charAt(0).toUpperCase()}${prefix.slice(1)}${i}`,
      last_name: lastName(i),
      totp_secret: null,
      totp_last_step: null,
      created_at: now,
    });
    await addMember(portal.db, target.id, user.id, 'user', now);
  }
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

/** A REST call as `email` on `portalName` with a fresh OAuth token; fails the test unless it answers 200, and returns `result`. */
export async function restAs(
  portal: Pick<TestPortal, 'url'>,
  portalName: string,
  email: string,
  method: string,
  params: Record<string, unknown>,
): Promise<any> {
  const { access_token } = await signInAs(portal, portalName, email);
  const reply = await postJson(`${portal.url(portalName)}/rest/${method}.json`, { ...params, auth: access_token });
  assert.equal(reply.status, 200, `${method}: ${reply.body?.error} ${reply.body?.error_description}`);
  return reply.body.result;
}
