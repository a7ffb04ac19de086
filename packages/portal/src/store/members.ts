import type { Executor, Member } from './schema.ts';

export async function addMember(db: Executor, portalId: number, userId: number, role: Member['role'], now: number): Promise<Member> {
  return db
    .insertInto('members')
    .values({ portal_id: portalId, user_id: userId, role, active: 1, work_position: '', created_at: now })
    .onConflict((oc) => oc.columns(['portal_id', 'user_id']).doUpdateSet({ role }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findMembership(db: Executor, portalId: number, userId: number): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('portal_id', '=', portalId).where('user_id', '=', userId).executeTakeFirst();
}

export async function findMemberById(db: Executor, portalId: number, memberId: number): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('portal_id', '=', portalId).where('id', '=', memberId).executeTakeFirst();
}

/** Of `memberIds`, those who are active members of the portal (task participants, the Pull keepalive's check). */
export async function activeMemberIds(db: Executor, portalId: number, memberIds: readonly number[]): Promise<Set<number>> {
  if (memberIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('members')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('id', 'in', [...new Set(memberIds)])
    .where('active', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Active memberships of a user with their portals: the network's list of a login's Bitrix24s. */
export async function listPortalsOfUser(db: Executor, userId: number) {
  return db
    .selectFrom('members')
    .innerJoin('portals', 'portals.id', 'members.portal_id')
    .select(['portals.id', 'portals.name', 'portals.title', 'members.id as member_id', 'members.role'])
    .where('members.user_id', '=', userId)
    .where('members.active', '=', 1)
    .orderBy('portals.title')
    .execute();
}
