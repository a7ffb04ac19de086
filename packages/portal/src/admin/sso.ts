import type { Db } from '../store/database.ts';
import type { SsoSettings } from '../store/schema.ts';
import { deleteSsoSettings, findSsoSettings, saveSsoSettings } from '../store/sso.ts';
import { AdminInputError, requirePortal } from './directory.ts';

export interface SsoInput {
  portal: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  domain?: string | undefined;
  jit?: boolean | undefined;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** An issuer identifier: an absolute http(s) URL without query, fragment or credentials (OpenID Connect Discovery §2). */
export function checkIssuer(value: string): string {
  const issuer = value.trim();
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AdminInputError(`--issuer must be an http(s) URL, not "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AdminInputError(`--issuer must be an http(s) URL, not "${value}"`);
  if (url.search || url.hash || url.username || url.password) {
    throw new AdminInputError('--issuer must have no query, fragment or user name: it is the identity provider\'s "issuer" value');
  }
  return issuer;
}

/** Plain http to the identity provider is only sound on this machine (a local demo or test provider). */
export function isLoopbackIssuer(issuer: string): boolean {
  const host = new URL(issuer).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
}

/** Checks and saves a portal's single sign-on settings, replacing what it had. */
export async function setSsoChecked(db: Db, input: SsoInput, now: number): Promise<SsoSettings> {
  const portal = await requirePortal(db, input.portal);
  const issuer = checkIssuer(input.issuer);
  const clientId = input.clientId.trim();
  if (!PRINTABLE.test(clientId) || clientId.length > 255)
    throw new AdminInputError('--client-id must be 1 to 255 printable characters, no spaces');
  if (input.clientSecret.length > 1000 || !/^[\x20-\x7e]+$/.test(input.clientSecret)) {
    throw new AdminInputError('--client-secret must be 1 to 1000 printable characters');
  }
  const domain = input.domain === undefined ? null : input.domain.trim().toLowerCase().replace(/^@/, '');
  if (domain !== null && !DOMAIN.test(domain))
    throw new AdminInputError(`--domain must be a domain name such as example.com, not "${input.domain}"`);
  // Without a domain, just-in-time creation would admit anyone the provider knows (for a public
  // provider: anyone at all).
  if (input.jit && domain === null) throw new AdminInputError('--jit needs --domain: only addresses of that domain become members');
  return saveSsoSettings(
    db,
    portal.id,
    { issuer, client_id: clientId, client_secret: input.clientSecret, domain, jit: input.jit ? 1 : 0 },
    now,
  );
}

/** The settings as `sso show` prints them: every field but the secret, which is only said to be set. */
export async function describeSso(db: Db, portalName: string, portalUrl: (name: string) => string): Promise<string> {
  const portal = await requirePortal(db, portalName);
  const settings = await findSsoSettings(db, portal.id);
  if (!settings) return `single sign-on is off for ${portal.name}`;
  const linked = await db
    .selectFrom('sso_identities')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('portal_id', '=', portal.id)
    .executeTakeFirstOrThrow();
  return [
    `portal ${portal.name} (${portal.title})`,
    `issuer ${settings.issuer}`,
    `client_id ${settings.client_id}`,
    'client_secret (set; not shown)',
    `domain ${settings.domain ?? '(any)'}`,
    `jit ${settings.jit ? 'on: verified addresses of the domain become members' : 'off'}`,
    `redirect_uri ${portalUrl(portal.name)}/sso/callback   (register this at the identity provider)`,
    `linked identities ${Number(linked.n)}`,
  ].join('\n');
}

export async function removeSsoChecked(db: Db, portalName: string): Promise<boolean> {
  const portal = await requirePortal(db, portalName);
  return deleteSsoSettings(db, portal.id);
}
