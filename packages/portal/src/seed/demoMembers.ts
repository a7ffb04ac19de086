import type { Executor } from '../store/schema.ts';

/** Member ids on a portal by demo name (`anna` for anna@example.com). */
export async function demoMembers(db: Executor, portalId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.id', 'users.email'])
    .where('members.portal_id', '=', portalId)
    .where('users.email', 'like', '%@example.com')
    .execute();
  return new Map(rows.map((row) => [row.email.replace(/@example\.com$/, ''), row.id]));
}
