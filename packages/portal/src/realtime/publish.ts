import type { PullBody } from '@multidesk/protocol';
import type { PortalContext } from '../http/context.ts';
import { appendEvents, type StoredEvent } from '../store/realtimeEvents.ts';
import type { Executor } from '../store/schema.ts';

/** One Pull message for one member (params may differ per member: `dialogId`, `counter`). */
export interface EventEntry {
  memberId: number;
  body: PullBody;
}

/**
 * Numbers and stores events inside the change's transaction, so they exist exactly when the change
 * does. Only `changeAndPublish` calls it, and delivers the result after the transaction commits.
 */
function recordEvents(db: Executor, ctx: PortalContext, entries: readonly EventEntry[]): Promise<StoredEvent[]> {
  return appendEvents(
    db,
    entries.map(({ memberId, body }) => ({ memberId, payload: JSON.stringify(body) })),
    ctx.now(),
    { keepEvents: ctx.limits.realtimeKeepEvents },
  );
}

/**
 * Sends committed events to the live connections that want them. The single place where events
 * leave this process: this instance's hub gets them at once, and every other instance (`serve
 * --redis`) hears each member's highest seq and reads the events from the shared log.
 */
function deliverEvents(ctx: PortalContext, events: readonly StoredEvent[]): void {
  if (events.length === 0) return;
  ctx.realtime.deliver(events);
  const highest = new Map<number, number>();
  for (const { memberId, seq } of events) highest.set(memberId, Math.max(seq, highest.get(memberId) ?? 0));
  ctx.shared.publishEvents([...highest].map(([memberId, seq]) => ({ memberId, seq })));
}

/**
 * The one way data changes and says so: `work` changes it in a transaction and lists the events
 * the change causes; they are stored in that same transaction and delivered once it commits.
 */
export async function changeAndPublish<T>(ctx: PortalContext, work: (trx: Executor, events: EventEntry[]) => Promise<T>): Promise<T> {
  const { result, stored } = await ctx.db.transaction().execute(async (trx) => {
    const events: EventEntry[] = [];
    const result = await work(trx, events);
    return { result, stored: await recordEvents(trx, ctx, events) };
  });
  deliverEvents(ctx, stored);
  return result;
}

/** Members of the portal among `memberIds`: an event never crosses portals. */
export async function portalMembersAmong(db: Executor, portalId: number, memberIds: readonly number[]): Promise<number[]> {
  const wanted = [...new Set(memberIds)];
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('members').select('id').where('portal_id', '=', portalId).where('id', 'in', wanted).execute();
  return rows.map((row) => row.id);
}
