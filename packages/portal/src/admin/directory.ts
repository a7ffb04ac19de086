import { randomBytes } from 'node:crypto';
import { REST_SCOPES, type RestScope } from '@multidesk/protocol';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { Db } from '../store/database.ts';
import { addMember, findMembership } from '../store/members.ts';
import { createPortal, findPortalByName, PORTAL_NAME_PATTERN } from '../store/portals.ts';
import type { Member, Portal, User } from '../store/schema.ts';
import { createUser, findUserByEmail, normalizeLogin } from '../store/users.ts';
import { insertWebhook } from '../store/webhooks.ts';

/** A mistake in what an administrator asked for: the CLI prints it and exits non-zero. */
export class AdminInputError extends Error {}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export async function requirePortal(db: Db, name: string): Promise<Portal> {
  const portal = await findPortalByName(db, name.toLowerCase());
  if (!portal) throw new AdminInputError(`no portal named "${name}" (create it with: portal create --name ${name} --title "…")`);
  return portal;
}

export async function requireUser(db: Db, email: string): Promise<User> {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AdminInputError(`no user with login "${email}" (create it with: user create --email ${email} --password …)`);
  return user;
}

export async function createPortalChecked(db: Db, name: string, title: string, now: number): Promise<Portal> {
  const normalized = name.toLowerCase();
  if (!PORTAL_NAME_PATTERN.test(normalized)) {
    throw new AdminInputError(`portal name "${name}" must be a host label: letters, digits and inner hyphens, at most 63`);
  }
  if (!title.trim() || title.length > 200) throw new AdminInputError('portal title must be 1 to 200 characters');
  if (await findPortalByName(db, normalized)) throw new AdminInputError(`a portal named "${normalized}" exists already`);
  return createPortal(db, normalized, title.trim(), now);
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AdminInputError(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

export async function createUserChecked(
  db: Db,
  input: { email: string; password: string; name?: string; lastName?: string },
  now: number,
): Promise<User> {
  const email = normalizeLogin(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw new AdminInputError(`"${input.email}" is not an e-mail address`);
  checkPassword(input.password);
  if (await findUserByEmail(db, email)) throw new AdminInputError(`a user with login "${email}" exists already`);
  const local = email.split('@')[0] as string;
  return createUser(db, {
    email,
    password_hash: await hashPassword(input.password),
    name: input.name?.trim() || local.charAt(0).toUpperCase() + local.slice(1),
    last_name: input.lastName?.trim() ?? '',
    totp_secret: null,
    totp_last_step: null,
    created_at: now,
  });
}

export async function addMemberChecked(db: Db, portalName: string, email: string, role: string, now: number): Promise<Member> {
  if (role !== 'admin' && role !== 'user') throw new AdminInputError(`role must be "admin" or "user", not "${role}"`);
  const portal = await requirePortal(db, portalName);
  const user = await requireUser(db, email);
  return addMember(db, portal.id, user.id, role, now);
}

export function parseScopes(text: string): RestScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (scopes.length === 0) throw new AdminInputError(`--scope needs at least one of ${REST_SCOPES.join(', ')}`);
  for (const scope of scopes) {
    if (!(REST_SCOPES as readonly string[]).includes(scope)) {
      throw new AdminInputError(`unknown scope "${scope}"; known: ${REST_SCOPES.join(', ')}`);
    }
  }
  return [...new Set(scopes)] as RestScope[];
}

/** Creates an inbound webhook and returns its secret path part; only its hash is stored. */
export async function createWebhookChecked(
  db: Db,
  portalName: string,
  email: string,
  scopes: RestScope[],
  now: number,
): Promise<{ portal: Portal; memberId: number; secret: string }> {
  const portal = await requirePortal(db, portalName);
  const user = await requireUser(db, email);
  const member = await findMembership(db, portal.id, user.id);
  if (!member)
    throw new AdminInputError(
      `${user.email} is not a member of ${portal.name} (add with: member add --portal ${portal.name} --email ${user.email})`,
    );
  // Bitrix24 webhook codes are 16 lowercase alphanumerics; ours are longer for more entropy.
  const secret = randomBytes(16).toString('hex').slice(0, 24);
  await insertWebhook(db, portal.id, member.id, hashSecret(secret), scopes, now);
  return { portal, memberId: member.id, secret };
}
