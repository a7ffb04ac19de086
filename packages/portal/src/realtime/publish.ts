import type { RealtimeEventPayload } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import { appendEvents, type StoredEvent } from '../store/realtimeEvents.ts';
import type { Executor } from '../store/schema.ts';

/** One event for one member (payloads may differ per member, e.g. `dialog_id`). */
export interface EventEntry {
  memberId: number;
  event: RealtimeEventPayload;
}

/**
 * Numbers and stores events inside the caller's transaction, so they exist exactly when the change
 * does. Hand the result to `deliverEvents` after the transaction commits.
 */
export function recordEvents(db: Executor, ctx: PortalContext, entries: readonly EventEntry[]): Promise<StoredEvent[]> {
  return appendEvents(
    db,
    entries.map(({ memberId, event }) => ({ memberId, payload: JSON.stringify(event) })),
    ctx.now(),
    { keepEvents: ctx.limits.realtimeKeepEvents },
  );
}

/**
 * Sends committed events to the live connections that want them. The single place where events
 * leave this process: with several server instances, this is where they would go out through
 * Redis (publish) and come back to each instance's hub (subscribe).
 */
export function deliverEvents(ctx: PortalContext, events: readonly StoredEvent[]): void {
  if (events.length > 0) ctx.realtime.deliver(events);
}

/**
 * Publishes one event to some members of a portal: each gets it with their own next `seq`, kept for
 * replay, and at once on every live connection. Ids that are not members of the portal are
 * ignored, so an event never crosses portals.
 *
 *     await publishToMembers(ctx, portal.id, [creatorId, responsibleId], { type: 'task.changed', task_id: 7, action: 'updated' });
 */
export async function publishToMembers(
  ctx: PortalContext,
  portalId: number,
  memberIds: readonly number[],
  event: RealtimeEventPayload,
): Promise<void> {
  const wanted = [...new Set(memberIds)];
  if (wanted.length === 0) return;
  const stored = await ctx.db.transaction().execute(async (trx) => {
    const members = await trx.selectFrom('members').select('id').where('portal_id', '=', portalId).where('id', 'in', wanted).execute();
    return recordEvents(
      trx,
      ctx,
      members.map((m) => ({ memberId: m.id, event })),
    );
  });
  deliverEvents(ctx, stored);
}
