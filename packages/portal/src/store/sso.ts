import type { Executor, Portal, SsoIdentity, SsoSettings, SsoState } from './schema.ts';

export type SsoSettingsInput = Pick<SsoSettings, 'issuer' | 'client_id' | 'client_secret' | 'domain' | 'jit'>;

/** Creates or replaces a portal's single sign-on settings. */
export async function saveSsoSettings(db: Executor, portalId: number, input: SsoSettingsInput, now: number): Promise<SsoSettings> {
  return db
    .insertInto('sso_settings')
    .values({ portal_id: portalId, ...input, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('portal_id').doUpdateSet({ ...input, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSsoSettings(db: Executor, portalId: number): Promise<SsoSettings | undefined> {
  return db.selectFrom('sso_settings').selectAll().where('portal_id', '=', portalId).executeTakeFirst();
}

/** Removes the settings and every flow in flight; links to members stay, should SSO come back. */
export async function deleteSsoSettings(db: Executor, portalId: number): Promise<boolean> {
  await db.deleteFrom('sso_states').where('portal_id', '=', portalId).execute();
  const result = await db.deleteFrom('sso_settings').where('portal_id', '=', portalId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findSsoIdentity(db: Executor, portalId: number, issuer: string, subject: string): Promise<SsoIdentity | undefined> {
  return db
    .selectFrom('sso_identities')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

/** The identity a member already has at an issuer, if any. */
export async function findSsoIdentityOfMember(db: Executor, memberId: number, issuer: string): Promise<SsoIdentity | undefined> {
  return db.selectFrom('sso_identities').selectAll().where('member_id', '=', memberId).where('issuer', '=', issuer).executeTakeFirst();
}

export async function insertSsoIdentity(
  db: Executor,
  identity: { portalId: number; issuer: string; subject: string; memberId: number; now: number },
): Promise<void> {
  await db
    .insertInto('sso_identities')
    .values({
      portal_id: identity.portalId,
      issuer: identity.issuer,
      subject: identity.subject,
      member_id: identity.memberId,
      created_at: identity.now,
      last_login_at: identity.now,
    })
    .execute();
}

export async function touchSsoIdentity(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable('sso_identities').set({ last_login_at: now }).where('id', '=', id).execute();
}

export async function insertSsoState(db: Executor, state: SsoState): Promise<void> {
  await db.insertInto('sso_states').values(state).execute();
}

/**
 * Takes a flow in flight out of the table and returns it: a state works once, on its own portal,
 * until it expires. Of two callbacks racing with one state, only one gets the row.
 */
export async function consumeSsoState(db: Executor, portalId: number, stateHash: string, now: number): Promise<SsoState | undefined> {
  const row = await db
    .deleteFrom('sso_states')
    .where('state_hash', '=', stateHash)
    .where('portal_id', '=', portalId)
    .returningAll()
    .executeTakeFirst();
  return row && row.expires_at > now ? row : undefined;
}

export async function deleteSsoStatesExpiredBefore(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('sso_states').where('expires_at', '<', before).execute();
}

/** The portals whose single sign-on accepts addresses of `domain` (stored lower case), by title. */
export async function findPortalsBySsoDomain(db: Executor, domain: string): Promise<Pick<Portal, 'name' | 'title'>[]> {
  return db
    .selectFrom('sso_settings')
    .innerJoin('portals', 'portals.id', 'sso_settings.portal_id')
    .select(['portals.name', 'portals.title'])
    .where('sso_settings.domain', '=', domain)
    .orderBy('portals.title')
    .execute();
}
