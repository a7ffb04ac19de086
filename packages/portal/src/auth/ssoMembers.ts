import type { PortalContext } from '../http/context.ts';
import { addMember, findMemberById, findMembership } from '../store/members.ts';
import type { Executor, Member, Portal, SsoSettings, User } from '../store/schema.ts';
import { findSsoIdentity, findSsoIdentityOfMember, insertSsoIdentity, touchSsoIdentity } from '../store/sso.ts';
import { createUser, findUserByEmail, findUserById } from '../store/users.ts';
import { hashPassword } from './password.ts';
import { randomToken } from './secrets.ts';
import type { SsoIdentityClaims } from './ssoClient.ts';

export type MemberResolution =
  | { ok: true; user: User; member: Member; how: 'linked' | 'matched_email' | 'created' }
  | { ok: false; description: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/**
 * Who an identity provider's verified answer is on this portal, in this order:
 * 1. the member linked to (issuer, subject) before;
 * 2. the first time, the active member whose login is the verified e-mail (`email_verified` true),
 *    unless that member is linked to another subject at this issuer already; the link is stored;
 * 3. with just-in-time provisioning, a verified e-mail of the configured domain becomes a member
 *    (a new network account with a random password nobody knows, when there is none), linked.
 * With a domain set, e-mail matching and creation only accept that domain. Anything else: no access,
 * and nothing is stored. Two-step verification is the provider's business on this path.
 */
export async function resolveSsoMember(
  ctx: PortalContext,
  portal: Portal,
  settings: SsoSettings,
  identity: SsoIdentityClaims,
): Promise<MemberResolution> {
  const now = ctx.now();
  const noAccess = (why: string): MemberResolution => ({
    ok: false,
    description: `${why} Ask an administrator of ${portal.title} for access.`,
  });
  const email = identity.emailVerified && identity.email && EMAIL.test(identity.email) ? identity.email : undefined;
  // Made outside the transaction (argon2 takes tens of milliseconds; the write lock should not),
  // and only when an account might have to be created.
  const mayCreate = settings.jit && email && !(await findSsoIdentity(ctx.db, portal.id, identity.issuer, identity.subject));
  const unusablePassword = mayCreate ? await hashPassword(randomToken()) : undefined;
  const linkMember = (trx: Executor, member: Member) =>
    insertSsoIdentity(trx, { portalId: portal.id, issuer: identity.issuer, subject: identity.subject, memberId: member.id, now });

  return ctx.db.transaction().execute(async (trx): Promise<MemberResolution> => {
    const link = await findSsoIdentity(trx, portal.id, identity.issuer, identity.subject);
    if (link) {
      const member = await findMemberById(trx, portal.id, link.member_id);
      const user = member ? await findUserById(trx, member.user_id) : undefined;
      if (!member?.active || !user) return noAccess(`Your account is no longer active on ${portal.title}.`);
      await touchSsoIdentity(trx, link.id, now);
      return { ok: true, user, member, how: 'linked' };
    }
    if (!email) return noAccess('The identity provider did not confirm an e-mail address for your account.');
    if (settings.domain && domainOf(email) !== settings.domain) {
      return noAccess(`${email} is not an address of ${settings.domain}, the domain this Bitrix24 accepts.`);
    }
    const user = await findUserByEmail(trx, email);
    const member = user ? await findMembership(trx, portal.id, user.id) : undefined;
    if (user && member) {
      if (!member.active) return noAccess(`Your account ${email} is no longer active on ${portal.title}.`);
      if (await findSsoIdentityOfMember(trx, member.id, identity.issuer)) {
        return noAccess(`The member ${email} is linked to another account at this identity provider.`);
      }
      await linkMember(trx, member);
      return { ok: true, user, member, how: 'matched_email' };
    }
    if (!settings.jit || !unusablePassword) return noAccess(`${email} is not a member of ${portal.title}.`);
    const account = user ?? (await createJitUser(trx, email, identity, unusablePassword, now));
    const created = await addMember(trx, portal.id, account.id, 'user', now);
    await linkMember(trx, created);
    return { ok: true, user: account, member: created, how: 'created' };
  });
}

async function createJitUser(trx: Executor, email: string, identity: SsoIdentityClaims, passwordHash: string, now: number): Promise<User> {
  const local = email.slice(0, email.indexOf('@'));
  return createUser(trx, {
    email,
    password_hash: passwordHash,
    name: (identity.givenName ?? local.charAt(0).toUpperCase() + local.slice(1)).slice(0, 100),
    last_name: (identity.familyName ?? '').slice(0, 100),
    totp_secret: null,
    totp_last_step: null,
    created_at: now,
  });
}
