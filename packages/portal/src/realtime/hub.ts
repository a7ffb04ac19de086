import type { RealtimeServerMessage } from '@multidesk/protocol';
import { currentSeq, eventsAfter, type StoredEvent } from '../store/realtimeEvents.ts';
import type { Executor } from '../store/schema.ts';

/** Where a connection's messages go (a WebSocket, or a fake in tests). */
export interface RealtimeSink {
  send(text: string): void;
}

export interface ReplayLimits {
  /** Events older than this are no longer replayed: the client resyncs. */
  keepMs: number;
}

/** One authenticated connection of a member. */
interface Subscriber {
  memberId: number;
  sink: RealtimeSink;
  /** The last seq this connection was sent. */
  sentSeq: number;
  /** Everything sent to the connection runs in this chain, so that seq order holds on the wire. */
  queue: Promise<void>;
  closed: boolean;
}

export interface Subscription {
  /** Resolves once replay and `ready` (or `resync`) are sent. */
  ready: Promise<void>;
  close(): void;
}

/** Adds `seq` in front of a stored payload (a JSON object without it). */
function eventText(event: Pick<StoredEvent, 'seq' | 'payload'>): string {
  return `{"seq":${event.seq},${event.payload.slice(1)}`;
}

/**
 * The live connections of this server and the one place events reach them. Each connection gets
 * its member's events exactly once and in seq order: an event that arrives ahead of one still in
 * flight is preceded by the missing ones, read back from the store (they are committed already, as
 * a lower seq always commits first); anything at or below what was sent is skipped.
 */
export class RealtimeHub {
  readonly #db: Executor;
  readonly #now: () => number;
  readonly #limits: ReplayLimits;
  readonly #byMember = new Map<number, Set<Subscriber>>();

  constructor(db: Executor, now: () => number, limits: ReplayLimits) {
    this.#db = db;
    this.#now = now;
    this.#limits = limits;
  }

  /** Live connections, all members together. */
  get size(): number {
    let n = 0;
    for (const set of this.#byMember.values()) n += set.size;
    return n;
  }

  /**
   * Registers a member's connection, then replays what it missed after `lastSeq` (or tells it to
   * resync) and sends `ready`. Events published meanwhile wait behind the replay and are not lost.
   */
  subscribe(memberId: number, sink: RealtimeSink, lastSeq: number | undefined): Subscription {
    const subscriber: Subscriber = { memberId, sink, sentSeq: 0, queue: Promise.resolve(), closed: false };
    let set = this.#byMember.get(memberId);
    if (!set) {
      set = new Set();
      this.#byMember.set(memberId, set);
    }
    set.add(subscriber);
    const ready = this.#enqueue(subscriber, () => this.#handshake(subscriber, lastSeq));
    return {
      ready,
      close: () => {
        subscriber.closed = true;
        const members = this.#byMember.get(memberId);
        members?.delete(subscriber);
        if (members?.size === 0) this.#byMember.delete(memberId);
      },
    };
  }

  /** Sends committed events to their members' live connections on this server. */
  deliver(events: readonly StoredEvent[]): void {
    const byMember = new Map<number, StoredEvent[]>();
    for (const event of events) {
      if (!this.#byMember.has(event.memberId)) continue;
      const list = byMember.get(event.memberId) ?? [];
      list.push(event);
      byMember.set(event.memberId, list);
    }
    for (const [memberId, list] of byMember) {
      list.sort((a, b) => a.seq - b.seq);
      for (const subscriber of this.#byMember.get(memberId) ?? []) {
        void this.#enqueue(subscriber, () => this.#sendInOrder(subscriber, list));
      }
    }
  }

  #enqueue(subscriber: Subscriber, task: () => Promise<void>): Promise<void> {
    const next = subscriber.queue.then(() => (subscriber.closed ? undefined : task()));
    // One failed send (a closed socket, a store error) must not stop the chain.
    subscriber.queue = next.catch(() => {});
    return next;
  }

  #send(subscriber: Subscriber, message: RealtimeServerMessage | string): void {
    if (subscriber.closed) return;
    subscriber.sink.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async #handshake(subscriber: Subscriber, lastSeq: number | undefined): Promise<void> {
    const current = await currentSeq(this.#db, subscriber.memberId);
    const resync = () => {
      subscriber.sentSeq = current;
      this.#send(subscriber, { type: 'resync', seq: current });
    };
    if (lastSeq === undefined || lastSeq === current) {
      subscriber.sentSeq = current;
    } else if (lastSeq > current) {
      resync();
    } else {
      const missed = await eventsAfter(this.#db, subscriber.memberId, lastSeq);
      const first = missed[0];
      if (!first || first.seq !== lastSeq + 1 || first.createdAt < this.#now() - this.#limits.keepMs) {
        resync();
      } else {
        subscriber.sentSeq = lastSeq;
        for (const event of missed) {
          this.#send(subscriber, eventText(event));
          subscriber.sentSeq = event.seq;
        }
      }
    }
    this.#send(subscriber, { type: 'ready', seq: subscriber.sentSeq });
  }

  async #sendInOrder(subscriber: Subscriber, events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (event.seq <= subscriber.sentSeq) continue;
      if (event.seq > subscriber.sentSeq + 1) {
        for (const missing of await eventsAfter(this.#db, subscriber.memberId, subscriber.sentSeq, event.seq - 1)) {
          this.#send(subscriber, eventText(missing));
          subscriber.sentSeq = missing.seq;
        }
      }
      this.#send(subscriber, eventText(event));
      subscriber.sentSeq = event.seq;
    }
  }
}
