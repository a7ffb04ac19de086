import type { Executor, QrRequest } from './schema.ts';

export type NewQrRequest = Omit<QrRequest, 'status' | 'decided_at' | 'approver_user_id' | 'approver_member_id' | 'redeemed_at'>;

export async function insertQrRequest(db: Executor, request: NewQrRequest): Promise<void> {
  await db
    .insertInto('qr_requests')
    .values({ ...request, status: 'pending', decided_at: null, approver_user_id: null, approver_member_id: null, redeemed_at: null })
    .execute();
}

/** A request of one site (a portal, or the network when `portalId` is null): another site's id matches nothing. */
export async function findQrRequest(db: Executor, id: string, portalId: number | null): Promise<QrRequest | undefined> {
  const query = db.selectFrom('qr_requests').selectAll().where('id', '=', id);
  return (portalId === null ? query.where('portal_id', 'is', null) : query.where('portal_id', '=', portalId)).executeTakeFirst();
}

/**
 * Approves or denies a pending, unexpired request, atomically: of two decisions racing, one wins.
 * Returns false when the request was no longer pending or had expired.
 */
export async function decideQrRequest(
  db: Executor,
  id: string,
  decision: { status: 'approved' | 'denied'; userId: number; memberId: number | null; now: number },
): Promise<boolean> {
  const result = await db
    .updateTable('qr_requests')
    .set({
      status: decision.status,
      decided_at: decision.now,
      approver_user_id: decision.userId,
      approver_member_id: decision.memberId,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', decision.now)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks an approval collected; false when it was collected already (only one poll can win). */
export async function redeemQrRequest(db: Executor, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('qr_requests')
    .set({ redeemed_at: now })
    .where('id', '=', id)
    .where('status', '=', 'approved')
    .where('redeemed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Forgets requests that expired before `before`: they can no longer be approved or collected. */
export async function deleteQrRequestsExpiredBefore(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('qr_requests').where('expires_at', '<', before).execute();
}
