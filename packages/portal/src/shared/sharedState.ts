import { type AttemptLimiter, FailureLimiter, LeakyBucket } from '../auth/rateLimiter.ts';
import { type PendingSignInStore, PendingSignIns } from '../http/pages/pendingSignIns.ts';

/** "Member `memberId` has committed realtime events up to `seq`": what instances tell each other. */
export interface EventMark {
  memberId: number;
  seq: number;
}

/**
 * A leaky bucket per key: `take` counts one request, or answers false when the bucket is full.
 * In memory it answers at once; through Redis it answers after one round trip.
 */
export interface SharedBucket {
  take(key: string): boolean | Promise<boolean>;
}

/**
 * What several portal instances must see alike (issue 15): without `--redis`, one process's memory
 * (`memorySharedState`, the embedded default); with it, one Redis server (`redisSharedState.ts`).
 */
export interface SharedState {
  /** `kind` names the backing in logs and tests. */
  readonly kind: 'memory' | 'redis';
  /** A leaky bucket of `capacity` requests that drains `drainPerSecond`; `name` keeps buckets apart. */
  leakyBucket(name: string, capacity: number, drainPerSecond: number, now: () => number): SharedBucket;
  /** Attempts per key in a sliding window (credential throttles); `name` keeps limiters apart. */
  attemptLimiter(name: string, max: number, windowMs: number, now: () => number): AttemptLimiter;
  /**
   * Tells every other instance that events were committed (after the commit): each sends them to the
   * sockets it holds, read from the shared event log. One `SharedState` per instance: an instance
   * does not hear its own marks.
   */
  publishEvents(marks: readonly EventMark[]): void;
  /** Hears the marks other instances publish; returns the function that stops listening. */
  onEvents(listener: (marks: readonly EventMark[]) => void): () => void;
  /** Web sign-ins waiting for their second factor, for `ttlMs`: the code may be posted to any instance. */
  pendingSignIns(ttlMs: number, now: () => number): PendingSignInStore;
  /** Tells every other instance that QR request `id` was decided: their polls for it wake at once. */
  publishQrDecided(id: string): void;
  /** Hears the QR requests other instances decided; returns the function that stops listening. */
  onQrDecided(listener: (id: string) => void): () => void;
  /** Resolves when the backing answers (Redis: PING), rejects when it does not: `/readyz` asks. */
  ping(): Promise<void>;
  /**
   * Hears the backing go away (false) and come back (true); in memory it never changes. While it
   * is away, marks and QR wake-ups from other instances are lost: on true, what they announced is
   * read from the database instead.
   */
  onAvailability(listener: (available: boolean) => void): () => void;
  /** Ends the connections this state holds (a no-op in memory). */
  close(): Promise<void>;
}

/** Today's single-process behaviour: every bucket is a `LeakyBucket` in this process. */
export function memorySharedState(): SharedState {
  return {
    kind: 'memory',
    leakyBucket: (_name, capacity, drainPerSecond, now) => new LeakyBucket(capacity, drainPerSecond, now),
    attemptLimiter: (_name, max, windowMs, now) => new FailureLimiter(max, windowMs, now),
    // One process is the only instance: there is nobody else to tell.
    publishEvents: () => {},
    onEvents: () => () => {},
    pendingSignIns: (ttlMs, now) => new PendingSignIns(ttlMs, now),
    publishQrDecided: () => {},
    onQrDecided: () => () => {},
    ping: async () => {},
    onAvailability: () => () => {},
    close: async () => {},
  };
}
