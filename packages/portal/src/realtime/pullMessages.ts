import {
  encodeJsonRpcIncoming,
  encodeNginxMessages,
  PULL_REVISION,
  PULL_REVISION_MOBILE,
  type PullBody,
  type PullExtra,
  type PullMessage,
} from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';

/**
 * How stored events become Pull messages. A `mid` is 26 digits, as Bitrix24's push server makes
 * them: 10 digits that name the portal's event log (its creation second) and 16 of the member's
 * `seq`. A mid of another log (a portal recreated, another server) resumes nothing.
 */

const MID = /^(\d{10})(\d{16})$/;

export function logEpoch(portal: { created_at: number }): string {
  return String(Math.floor(portal.created_at / 1000) % 10_000_000_000).padStart(10, '0');
}

export function midOf(epoch: string, seq: number): string {
  return `${epoch}${String(seq).padStart(16, '0')}`;
}

/** The seq a client's `mid` stands for on this log, or null (absent, malformed, another log). */
export function seqOfMid(epoch: string, mid: unknown): number | null {
  if (typeof mid !== 'string') return null;
  const match = MID.exec(mid);
  if (!match || match[1] !== epoch) return null;
  return Number(match[2]);
}

function extraOf(event: StoredEvent, serverName: string): PullExtra {
  return {
    server_time: isoDateTime(event.createdAt),
    server_time_unix: event.createdAt / 1000,
    server_name: serverName,
    revision_web: PULL_REVISION,
    revision_mobile: PULL_REVISION_MOBILE,
  };
}

export function pullMessageOf(event: StoredEvent, epoch: string, serverName: string): PullMessage {
  const body = JSON.parse(event.payload) as PullBody;
  return { mid: midOf(epoch, event.seq), body: { ...body, extra: { ...extraOf(event, serverName) } } };
}

/** Server version 4: every event of a delivery in one text frame, `#!NGINXNMS!#`-wrapped. */
export function nginxFrame(events: readonly StoredEvent[], epoch: string, channelId: string, serverName: string): string {
  return encodeNginxMessages(
    events.map((event) => {
      const { mid, body } = pullMessageOf(event, epoch, serverName);
      return {
        id: event.seq,
        mid,
        channel: channelId,
        tag: String(event.createdAt % 1000).padStart(3, '0'),
        time: new Date(event.createdAt).toUTCString(),
        text: body,
      };
    }),
  );
}

/** Server version 5: one `incoming.message` per event. */
export function jsonRpcFrames(events: readonly StoredEvent[], epoch: string, serverName: string): string[] {
  return events.map((event) => encodeJsonRpcIncoming(pullMessageOf(event, epoch, serverName)));
}
