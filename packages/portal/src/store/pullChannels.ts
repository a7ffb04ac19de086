import type { Executor, PullChannelRow } from './schema.ts';

export type NewPullChannel = Omit<PullChannelRow, never>;

export async function insertPullChannel(db: Executor, channel: NewPullChannel): Promise<void> {
  await db.insertInto('pull_channels').values(channel).execute();
}

/** The newest channel of that owner that is still good after `goodUntil` (so a fresh config never names a dying channel). */
export async function findCurrentPullChannel(
  db: Executor,
  owner: { portalId: number; memberId: number | null; type: PullChannelRow['type'] },
  goodUntil: number,
): Promise<PullChannelRow | undefined> {
  let query = db
    .selectFrom('pull_channels')
    .selectAll()
    .where('portal_id', '=', owner.portalId)
    .where('type', '=', owner.type)
    .where('expires_at', '>', goodUntil);
  query = owner.memberId === null ? query.where('member_id', 'is', null) : query.where('member_id', '=', owner.memberId);
  return query.orderBy('expires_at', 'desc').limit(1).executeTakeFirst();
}

export async function findPullChannel(db: Executor, idHash: string): Promise<PullChannelRow | undefined> {
  return db.selectFrom('pull_channels').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function deletePullChannelsExpiredBefore(db: Executor, cutoff: number): Promise<void> {
  await db.deleteFrom('pull_channels').where('expires_at', '<', cutoff).execute();
}
