import { currentSeq, currentSeqs, eventsAfter, type StoredEvent } from '../store/realtimeEvents.ts';
import type { Executor } from '../store/schema.ts';

/** Where a connection's events go (a Pull socket, a long poll, or a fake in tests): in seq order, each once. */
export interface EventSink {
  deliver(events: readonly StoredEvent[]): void;
}

/** Members whose positions `catchUpAll` reads in one query. */
const CATCH_UP_CHUNK = 500;

export interface ReplayLimits {
  /** Events older than this are no longer replayed. */
  keepMs: number;
}

/** A settled chain: what an idle connection's queue points at, so that no settled promise is kept per connection. */
const IDLE: Promise<void> = Promise.resolve();

export interface Subscription {
  close(): void;
}

/** One connection of a member. Kept for as long as the connection lives: nothing here is per-event. */
class Subscriber implements Subscription {
  /** The last seq this connection was sent. */
  sentSeq = 0;
  /** Everything sent to the connection runs in this chain, so that seq order holds on the wire. */
  queue = IDLE;
  closed = false;
  readonly memberId: number;
  readonly sink: EventSink;
  readonly #byMember: Map<number, Set<Subscriber>>;

  constructor(memberId: number, sink: EventSink, byMember: Map<number, Set<Subscriber>>) {
    this.memberId = memberId;
    this.sink = sink;
    this.#byMember = byMember;
  }

  close(): void {
    this.closed = true;
    const members = this.#byMember.get(this.memberId);
    members?.delete(this);
    if (members?.size === 0) this.#byMember.delete(this.memberId);
  }
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
   * Registers a member's connection, then sends what it missed after `afterSeq` (what is still
   * kept of it; null: nothing, the connection starts now). Events published meanwhile wait behind
   * the replay and are not lost. `ready` resolves once what was missed is sent, with where the
   * connection stands then; it is not kept with the subscription, which lives as long as its socket.
   */
  subscribe(memberId: number, sink: EventSink, afterSeq: number | null): { subscription: Subscription; ready: Promise<{ seq: number }> } {
    const subscriber = new Subscriber(memberId, sink, this.#byMember);
    let set = this.#byMember.get(memberId);
    if (!set) {
      set = new Set();
      this.#byMember.set(memberId, set);
    }
    set.add(subscriber);
    const ready = this.#enqueue(subscriber, () => this.#catchUp(subscriber, afterSeq)).then(() => ({ seq: subscriber.sentSeq }));
    return { subscription: subscriber, ready };
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

  /**
   * Another instance committed events for these members up to `seq` (`SharedState.onEvents`): each
   * of their connections here gets what it has not been sent yet, read from the store, in order.
   */
  deliverUpTo(marks: readonly { memberId: number; seq: number }[]): void {
    for (const { memberId, seq } of marks) {
      for (const subscriber of this.#byMember.get(memberId) ?? []) {
        void this.#enqueue(subscriber, async () => {
          if (seq <= subscriber.sentSeq) return;
          this.#send(subscriber, await eventsAfter(this.#db, memberId, subscriber.sentSeq, seq));
        });
      }
    }
  }

  /**
   * Every connection here gets what it has not been sent yet, read from the store: for when the
   * marks of other instances could not be heard (Redis was away, `SharedState.onAvailability`).
   */
  async catchUpAll(): Promise<void> {
    const members = [...this.#byMember.keys()];
    for (let i = 0; i < members.length; i += CATCH_UP_CHUNK) {
      const seqs = await currentSeqs(this.#db, members.slice(i, i + CATCH_UP_CHUNK));
      this.deliverUpTo([...seqs].map(([memberId, seq]) => ({ memberId, seq })));
    }
  }

  #enqueue(subscriber: Subscriber, task: () => Promise<void>): Promise<void> {
    const next = subscriber.queue.then(() => (subscriber.closed ? undefined : task()));
    // One failed send (a closed socket, a store error) must not stop the chain.
    const tail = next.catch(() => {});
    subscriber.queue = tail;
    void tail.then(() => {
      if (subscriber.queue === tail) subscriber.queue = IDLE;
    });
    return next;
  }

  #send(subscriber: Subscriber, events: readonly StoredEvent[]): void {
    if (subscriber.closed || events.length === 0) return;
    subscriber.sink.deliver(events);
    subscriber.sentSeq = (events.at(-1) as StoredEvent).seq;
  }

  async #catchUp(subscriber: Subscriber, afterSeq: number | null): Promise<void> {
    const current = await currentSeq(this.#db, subscriber.memberId);
    // Nothing to resume, or a position this server never gave (another installation): start now.
    if (afterSeq === null || afterSeq >= current) {
      subscriber.sentSeq = current;
      return;
    }
    subscriber.sentSeq = afterSeq;
    const cutoff = this.#now() - this.#limits.keepMs;
    const missed = (await eventsAfter(this.#db, subscriber.memberId, afterSeq)).filter((event) => event.createdAt >= cutoff);
    this.#send(subscriber, missed);
    subscriber.sentSeq = Math.max(subscriber.sentSeq, current);
  }

  async #sendInOrder(subscriber: Subscriber, events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (event.seq <= subscriber.sentSeq) continue;
      if (event.seq > subscriber.sentSeq + 1) {
        this.#send(subscriber, await eventsAfter(this.#db, subscriber.memberId, subscriber.sentSeq, event.seq - 1));
      }
      this.#send(subscriber, [event]);
    }
  }
}
