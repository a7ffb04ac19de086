import { IM_V2_EVENT_DEFAULT_LIMIT, IM_V2_EVENT_KEEP_MS, IM_V2_EVENT_MAX_LIMIT, type ImV2Event } from '@multidesk/protocol';
import { imV2EventOf } from '../../im/imV2Events.ts';
import { confirmImEvents, findImEventSubscription, subscribeImEvents, unsubscribeImEvents } from '../../store/imEventSubscriptions.ts';
import { currentSeq, eventsPage } from '../../store/realtimeEvents.ts';
import { invalidArgument } from '../envelope.ts';
import { param, toInteger } from '../params.ts';
import type { MethodTable } from '../registry.ts';

/** Stored events read at a time while looking for im ones (tasks events are skipped). */
const SCAN_PAGE = 500;

/**
 * im.v2.Event.*: the documented way to learn of new messages by polling, for webhooks and apps
 * alike (scope im). Events come from the member's own event log, the one Push & Pull replays.
 */
export const imEventMethods: MethodTable = {
  'im.v2.Event.subscribe': {
    scopes: ['im'],
    handler: async ({ ctx, auth }) => {
      await subscribeImEvents(ctx.db, auth.memberId, await currentSeq(ctx.db, auth.memberId), ctx.now());
      return { result: true };
    },
  },

  'im.v2.Event.unsubscribe': {
    scopes: ['im'],
    handler: async ({ ctx, auth }) => {
      await unsubscribeImEvents(ctx.db, auth.memberId, await currentSeq(ctx.db, auth.memberId));
      return { result: true };
    },
  },

  /** `offset`: confirms everything before it and reads from it (pass the last `nextOffset`); `limit` 1–1000. */
  'im.v2.Event.get': {
    scopes: ['im'],
    handler: async ({ ctx, auth, params }) => {
      const rawLimit = param(params, 'limit');
      const limit = rawLimit === undefined || rawLimit === '' ? IM_V2_EVENT_DEFAULT_LIMIT : toInteger(rawLimit, 'limit');
      if (limit < 1 || limit > IM_V2_EVENT_MAX_LIMIT) throw invalidArgument(`limit must be 1 to ${IM_V2_EVENT_MAX_LIMIT}.`);
      const rawOffset = param(params, 'offset');
      const offset = rawOffset === undefined || rawOffset === '' ? null : toInteger(rawOffset, 'offset');
      if (offset !== null && offset < 0) throw invalidArgument('offset must not be negative.');
      const subscription = await findImEventSubscription(ctx.db, auth.memberId);
      if (!subscription) return { result: { events: [], nextOffset: offset ?? 0, hasMore: false } };
      if (offset !== null) await confirmImEvents(ctx.db, auth.memberId, offset);
      const from = Math.max(Number(subscription.acked_seq), offset ?? 0, Number(subscription.from_seq) + 1);
      const upTo = subscription.until_seq === null ? null : Number(subscription.until_seq);
      const since = ctx.now() - IM_V2_EVENT_KEEP_MS;
      const events: ImV2Event[] = [];
      let scanFrom = from;
      let nextOffset = from;
      let hasMore = false;
      for (;;) {
        const page = await eventsPage(ctx.db, auth.memberId, { fromSeq: scanFrom, upTo, since, limit: SCAN_PAGE });
        for (const stored of page) {
          const event = imV2EventOf(stored, auth.memberId);
          if (!event) {
            // Not part of this feed: past it, but not confirmed until the client passes it back.
            if (events.length < limit) nextOffset = stored.seq + 1;
            continue;
          }
          if (events.length === limit) {
            hasMore = true;
            break;
          }
          events.push(event);
          nextOffset = stored.seq + 1;
        }
        if (hasMore || page.length < SCAN_PAGE) break;
        scanFrom = (page.at(-1)?.seq ?? scanFrom) + 1;
      }
      return { result: { events, nextOffset, hasMore } };
    },
  },
};
