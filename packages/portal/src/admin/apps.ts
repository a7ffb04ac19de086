import { randomBytes, randomInt } from 'node:crypto';
import type { RestScope } from '@multidesk/protocol';
import { hashSecret, randomToken } from '../auth/secrets.ts';
import { insertApp, listApps, removeApp } from '../store/apps.ts';
import type { Db } from '../store/database.ts';
import type { OAuthApp, Portal } from '../store/schema.ts';
import { AdminInputError, requirePortal } from './directory.ts';

/** What `app create` gives an app that names no scopes. */
export const DEFAULT_APP_SCOPES: readonly RestScope[] = ['user', 'im', 'task', 'pull'];

const MAX_REDIRECT_URI = 1000;

/** Loopback hosts may take plain http: nothing leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost' || hostname.endsWith('.localhost');
}

/**
 * The handler URL of an app: https anywhere, or http on this machine (a desktop's loopback
 * listener, `http://127.0.0.1:<port>/callback`). No fragment: the code is added as a query.
 */
export function checkRedirectUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AdminInputError(`--redirect-uri "${text}" is not a URL (e.g. http://127.0.0.1:8765/callback)`);
  }
  if (text.length > MAX_REDIRECT_URI) throw new AdminInputError(`--redirect-uri is longer than ${MAX_REDIRECT_URI} characters`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AdminInputError('--redirect-uri must be an http(s) URL');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AdminInputError('--redirect-uri must use https unless it is on this machine (127.0.0.1, localhost)');
  }
  if (url.hash || url.username || url.password) throw new AdminInputError('--redirect-uri may not carry a #fragment or credentials');
  return url.toString();
}

/** `local.64ccbcf7db22b1.98148679`: the shape Bitrix24 gives a local app's client id. */
function newClientId(): string {
  return `local.${randomBytes(7).toString('hex')}.${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/** Registers an app on a portal; the secret is returned once and only its hash is kept. */
export async function createAppChecked(
  db: Db,
  input: { portal: string; title: string; redirectUri: string; scopes?: readonly RestScope[] },
  now: number,
): Promise<{ app: OAuthApp; portal: Portal; clientSecret: string }> {
  const portal = await requirePortal(db, input.portal);
  const title = input.title.trim();
  if (!title || title.length > 200) throw new AdminInputError('--name must be 1 to 200 characters');
  const redirectUri = checkRedirectUri(input.redirectUri);
  const clientSecret = randomToken(30);
  const app = await insertApp(db, {
    portalId: portal.id,
    clientId: newClientId(),
    secretHash: hashSecret(clientSecret),
    title,
    redirectUri,
    scopes: input.scopes ?? DEFAULT_APP_SCOPES,
    now,
  });
  return { app, portal, clientSecret };
}

export async function listAppsChecked(db: Db, portalName: string): Promise<OAuthApp[]> {
  return listApps(db, (await requirePortal(db, portalName)).id);
}

export async function removeAppChecked(db: Db, portalName: string, clientId: string, now: number): Promise<void> {
  const portal = await requirePortal(db, portalName);
  if (!(await removeApp(db, portal.id, clientId, now))) throw new AdminInputError(`${portal.name} has no app with client id "${clientId}"`);
}
