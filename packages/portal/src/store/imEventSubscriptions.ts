import type { Executor, ImEventSubscription } from './schema.ts';

export async function findImEventSubscription(db: Executor, memberId: number): Promise<ImEventSubscription | undefined> {
  return db.selectFrom('im_event_subscriptions').selectAll().where('member_id', '=', memberId).executeTakeFirst();
}

/** Subscribes from `fromSeq` on; a subscription that was ended starts again from there (what came meanwhile was not recorded). */
export async function subscribeImEvents(db: Executor, memberId: number, fromSeq: number, now: number): Promise<void> {
  const existing = await findImEventSubscription(db, memberId);
  if (!existing) {
    await db
      .insertInto('im_event_subscriptions')
      .values({ member_id: memberId, from_seq: fromSeq, until_seq: null, acked_seq: fromSeq + 1, created_at: now })
      .onConflict((oc) => oc.column('member_id').doNothing())
      .execute();
  } else if (existing.until_seq !== null) {
    await db
      .updateTable('im_event_subscriptions')
      .set({ from_seq: fromSeq, until_seq: null, acked_seq: Math.max(Number(existing.acked_seq), fromSeq + 1) })
      .where('member_id', '=', memberId)
      .execute();
  }
}

/** Stops recording after `untilSeq`: what was recorded stays readable until it is confirmed or too old. */
export async function unsubscribeImEvents(db: Executor, memberId: number, untilSeq: number): Promise<void> {
  await db
    .updateTable('im_event_subscriptions')
    .set({ until_seq: untilSeq })
    .where('member_id', '=', memberId)
    .where('until_seq', 'is', null)
    .execute();
}

/** `offset` confirms every event below it: they are gone for the subscriber. The mark never goes back. */
export async function confirmImEvents(db: Executor, memberId: number, offset: number): Promise<void> {
  await db
    .updateTable('im_event_subscriptions')
    .set({ acked_seq: offset })
    .where('member_id', '=', memberId)
    .where('acked_seq', '<', offset)
    .execute();
}
