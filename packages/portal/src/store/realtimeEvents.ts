import { sql } from 'kysely';
import { prepared } from './preparedQuery.ts';
import type { Executor } from './schema.ts';

/** An event as stored for one member: its payload is JSON without `seq`. */
export interface StoredEvent {
  memberId: number;
  seq: number;
  payload: string;
  createdAt: number;
}

export interface RetentionLimits {
  /** Events kept per member: older ones are pruned as new ones arrive. */
  keepEvents: number;
}

const nextSeqQuery = prepared((db, p: { memberId: number }) =>
  db
    .insertInto('realtime_sequences')
    .values({ member_id: p.memberId, last_seq: 1 })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ last_seq: sql`realtime_sequences.last_seq + 1` }))
    .returning('last_seq'),
);
const insertEventQuery = prepared((db, p: { memberId: number; seq: number; payload: string; now: number }) =>
  db.insertInto('realtime_events').values({ member_id: p.memberId, seq: p.seq, payload: p.payload, created_at: p.now }),
);

/**
 * Numbers and stores one event per entry, each with the next `seq` of its member. Run it in the
 * transaction that makes the change, so that an event exists exactly when its change does. The
 * sequence row's lock orders concurrent writers (PostgreSQL's row lock until commit, SQLite's single
 * writer): a member's events commit in `seq` order, so a reader that has seen one `seq` has seen
 * every earlier one. Rows are locked in member order, so two changes that reach the same members
 * never wait on each other in a circle (a deadlock on PostgreSQL).
 */
export async function appendEvents(
  db: Executor,
  entries: readonly { memberId: number; payload: string }[],
  now: number,
  retention: RetentionLimits,
): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = new Array(entries.length);
  // A stable sort: one member's events keep their order.
  const order = entries.map((_, i) => i).sort((a, b) => (entries[a]?.memberId ?? 0) - (entries[b]?.memberId ?? 0));
  for (const i of order) {
    const { memberId, payload } = entries[i] as (typeof entries)[number];
    const [row] = (await nextSeqQuery(db, { memberId })).rows;
    if (!row) throw new Error(`no sequence row for member ${memberId}`);
    const seq = Number(row.last_seq);
    await insertEventQuery(db, { memberId, seq, payload, now });
    // Pruning a member's old events now and then keeps the write cheap.
    if (seq % 100 === 0 && seq > retention.keepEvents) {
      await db
        .deleteFrom('realtime_events')
        .where('member_id', '=', memberId)
        .where('seq', '<=', seq - retention.keepEvents)
        .execute();
    }
    stored[i] = { memberId, seq, payload, createdAt: now };
  }
  return stored;
}

/** The member's last `seq` (0 before their first event). */
export async function currentSeq(db: Executor, memberId: number): Promise<number> {
  const row = await db.selectFrom('realtime_sequences').select('last_seq').where('member_id', '=', memberId).executeTakeFirst();
  return Number(row?.last_seq ?? 0);
}

/** The last seq of each of `memberIds` that has had an event (the others have none). */
export async function currentSeqs(db: Executor, memberIds: readonly number[]): Promise<Map<number, number>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('realtime_sequences')
    .select(['member_id', 'last_seq'])
    .where('member_id', 'in', [...memberIds])
    .execute();
  return new Map(rows.map((row) => [row.member_id, Number(row.last_seq)]));
}

/** The member's kept events after `afterSeq` (and up to `upTo`, when given), oldest first. */
export async function eventsAfter(db: Executor, memberId: number, afterSeq: number, upTo?: number): Promise<StoredEvent[]> {
  let q = db
    .selectFrom('realtime_events')
    .select(['member_id', 'seq', 'payload', 'created_at'])
    .where('member_id', '=', memberId)
    .where('seq', '>', afterSeq);
  if (upTo !== undefined) q = q.where('seq', '<=', upTo);
  const rows = await q.orderBy('seq', 'asc').execute();
  return rows.map((r) => ({ memberId: r.member_id, seq: Number(r.seq), payload: r.payload, createdAt: Number(r.created_at) }));
}

/** Up to `limit` of the member's kept events from `fromSeq` on (and up to `upTo`), created after `since`, oldest first. */
export async function eventsPage(
  db: Executor,
  memberId: number,
  range: { fromSeq: number; upTo: number | null; since: number; limit: number },
): Promise<StoredEvent[]> {
  let q = db
    .selectFrom('realtime_events')
    .select(['member_id', 'seq', 'payload', 'created_at'])
    .where('member_id', '=', memberId)
    .where('seq', '>=', range.fromSeq)
    .where('created_at', '>', range.since);
  if (range.upTo !== null) q = q.where('seq', '<=', range.upTo);
  const rows = await q.orderBy('seq', 'asc').limit(range.limit).execute();
  return rows.map((r) => ({ memberId: r.member_id, seq: Number(r.seq), payload: r.payload, createdAt: Number(r.created_at) }));
}

/** Drops every event created before `cutoff`. */
export async function pruneEventsBefore(db: Executor, cutoff: number): Promise<void> {
  await db.deleteFrom('realtime_events').where('created_at', '<', cutoff).execute();
}
