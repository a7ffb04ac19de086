import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Attempt, type AttemptLimiter, FailureLimiter } from '../auth/rateLimiter.ts';
import { hashSecret, randomToken } from '../auth/secrets.ts';
import { MAX_CODE_FAILURES, type PendingSignIn, type PendingSignInStore } from '../http/pages/pendingSignIns.ts';
import type { EventMark, SharedBucket, SharedState } from './sharedState.ts';

/** `--redis` names a server that cannot be reached or a URL that is not `redis://` / `rediss://`. */
export class RedisOpenError extends Error {}

/**
 * One leaky bucket step, atomic in Redis: drain the level by the time passed, then count the request
 * if it fits. A hash per key (`level`, `at` in ms); it expires once fully drained.
 * ARGV: capacity, drain per ms, now (ms). Returns 1 when taken, 0 when full.
 */
const LEAKY_BUCKET_TAKE = `
local capacity = tonumber(ARGV[1])
local drainPerMs = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - at) * drainPerMs)
local taken = 0
if level + 1 <= capacity then
  level = level + 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(level / drainPerMs) + 1000)
return taken
`;

/**
 * `reserveAttempt` in one atomic step over several sliding windows (a sorted set of attempt times
 * per key): when any key is spent, returns the seconds to wait and counts nothing; else counts the
 * attempt, under the member ARGV[2], on every key and returns 0.
 * ARGV: now (ms), member, then max and window (ms) for each key in turn.
 */
const RESERVE_ATTEMPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    wait = math.max(wait, 1, math.ceil((tonumber(oldest[2]) + window - now) / 1000))
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + 2 * i]))
end
return 0
`;

/** The longest a request waits for Redis (a bucket, a throttle) before it goes on without it. */
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * The longest wait between two tries to reach Redis again. ioredis 6 doubles its wait up to 5 s,
 * so an instance could come back 5 s after Redis did, holding the realtime marks it could not
 * publish all that while (a Pull socket on another instance got a message seconds late). A try is
 * one TCP connection a second, for each of the two connections.
 */
const RECONNECT_MAX_MS = 1_000;

/** ioredis's doubling wait from 50 ms, capped at RECONNECT_MAX_MS, with its jitter so instances do not come back in step. */
export const reconnectDelay = (times: number) => Math.min(50 * 2 ** (times - 1), RECONNECT_MAX_MS) + Math.floor(Math.random() * 200);

type BucketClient = Redis & {
  leakyBucketTake(key: string, capacity: number, drainPerMs: number, now: number): Promise<number>;
  reserveAttempt(...args: (string | number)[]): Promise<number>;
};

/**
 * A sliding-window limiter in Redis. While Redis is away it counts in this process instead
 * (`fallback`): each instance throttles on its own until the server is back. Not fail-open, as the
 * REST budget is: these limits stand between a guesser and passwords, codes and client secrets,
 * and an outage (which a guesser might even cause) must not lift them; per process, guesses stay
 * bounded by the limit times the number of instances.
 */
class RedisAttemptLimiter implements AttemptLimiter {
  readonly fallback: FailureLimiter;
  readonly client: BucketClient;
  readonly prefix: string;
  readonly max: number;
  readonly windowMs: number;
  readonly now: () => number;

  constructor(client: BucketClient, prefix: string, max: number, windowMs: number, now: () => number) {
    this.client = client;
    this.prefix = prefix;
    this.max = max;
    this.windowMs = windowMs;
    this.now = now;
    this.fallback = new FailureLimiter(max, windowMs, now);
  }

  async reserveAll(pairs: readonly (readonly [AttemptLimiter, string])[]): Promise<Attempt> {
    const limiters = pairs as readonly (readonly [RedisAttemptLimiter, string])[];
    const keys = limiters.map(([limiter, key]) => `${limiter.prefix}${key}`);
    const member = `${this.now()}:${randomUUID()}`;
    const limits = limiters.flatMap(([limiter]) => [limiter.max, limiter.windowMs]);
    let wait: number;
    try {
      wait = await this.client.reserveAttempt(keys.length, ...keys, this.now(), member, ...limits);
    } catch {
      return this.fallback.reserveAll(limiters.map(([limiter, key]) => [limiter.fallback, key] as const));
    }
    if (wait > 0) return { ok: false, retryAfter: wait };
    return {
      ok: true,
      release: () => {
        for (const key of keys) this.client.zrem(key, member).catch(() => {});
      },
    };
  }

  async reset(key: string): Promise<void> {
    this.fallback.reset(key);
    await this.client.del(`${this.prefix}${key}`).catch(() => {});
  }
}

export interface RedisStateOptions {
  /** Put before every key, so that several networks (or test runs) can share one server. Default `multidesk:`. */
  keyPrefix?: string;
}

/**
 * Opens one kept connection to `url` and checks that the server answers, or throws `RedisOpenError`
 * with one line that says why.
 */
export async function openRedisSharedState(url: string, options: RedisStateOptions = {}): Promise<SharedState> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisOpenError(`--redis takes a redis://host:port URL, not "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisOpenError(`--redis takes a redis://host:port URL, not "${url}"`);
  }
  // While the server is away a command fails at once instead of holding a request: no offline
  // queue; one that went out and hears nothing (a server that hangs, a dropped network) gives up
  // after `commandTimeout`. ioredis reconnects by itself meanwhile, at most a second apart.
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
  }) as BucketClient;
  client.defineCommand('leakyBucketTake', { numberOfKeys: 1, lua: LEAKY_BUCKET_TAKE });
  client.defineCommand('reserveAttempt', { lua: RESERVE_ATTEMPT });
  // Reconnection is ioredis's; a lost server must not become an unhandled 'error' event.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const host = `${parsed.hostname}:${parsed.port || 6379}`;
    const reason = lastError ?? error;
    throw new RedisOpenError(`cannot reach Redis at ${host}: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  const prefix = options.keyPrefix ?? 'multidesk:';
  const bus = await subscribeBus(client, prefix);
  return {
    kind: 'redis',
    leakyBucket: (name, capacity, drainPerSecond, now): SharedBucket => ({
      // With Redis away the request is let through: REST keeps serving, unmetered, until it is back
      // (the app logs a warning when Redis goes). The budget protects capacity, not secrets: a
      // 503 for every request would be the outage the limit exists to prevent.
      take: (key) =>
        client.leakyBucketTake(`${prefix}bucket:${name}:${key}`, capacity, drainPerSecond / 1000, now()).then(
          (taken) => taken === 1,
          () => true,
        ),
    }),
    attemptLimiter: (name, max, windowMs, now) => new RedisAttemptLimiter(client, `${prefix}attempts:${name}:`, max, windowMs, now),
    publishEvents: bus.publishEvents,
    onEvents: bus.onEvents,
    pendingSignIns: (ttlMs, now) => new RedisPendingSignIns(client, `${prefix}pending:`, ttlMs, now),
    publishQrDecided: bus.publishQrDecided,
    onQrDecided: bus.onQrDecided,
    // Fails at once while the connection is down: there is no offline queue to wait in.
    ping: async () => {
      await client.ping();
    },
    onAvailability: bus.onAvailability,
    close: async () => {
      await bus.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Pending second-factor steps as Redis hashes named by the token's hash, gone after `ttlMs`. As in
 * memory, the token itself is never stored; wrong codes are counted atomically (HINCRBY).
 */
class RedisPendingSignIns implements PendingSignInStore {
  readonly ttlMs: number;
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(client: Redis, prefix: string, ttlMs: number, now: () => number) {
    this.#client = client;
    this.#prefix = prefix;
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  #key(token: string): string {
    return `${this.#prefix}${hashSecret(token)}`;
  }

  async create(entry: Pick<PendingSignIn, 'userId' | 'portalId' | 'next'>): Promise<string> {
    const token = randomToken();
    const key = this.#key(token);
    await this.#client
      .multi()
      .hset(key, {
        userId: entry.userId,
        portalId: entry.portalId ?? '',
        next: entry.next,
        expiresAt: this.#now() + this.ttlMs,
        failures: 0,
      })
      .pexpire(key, this.ttlMs)
      .exec();
    return token;
  }

  async get(token: string | undefined, portalId: number | null): Promise<PendingSignIn | undefined> {
    if (!token || token.length > 100) return undefined;
    const row = await this.#client.hgetall(this.#key(token));
    if (row.userId === undefined) return undefined;
    const entry: PendingSignIn = {
      userId: Number(row.userId),
      portalId: row.portalId ? Number(row.portalId) : null,
      next: row.next ?? '/',
      expiresAt: Number(row.expiresAt),
      failures: Number(row.failures),
    };
    if (entry.expiresAt <= this.#now()) {
      await this.delete(token);
      return undefined;
    }
    return entry.portalId === portalId ? entry : undefined;
  }

  async fail(token: string): Promise<boolean> {
    const key = this.#key(token);
    if (!(await this.#client.exists(key))) return false;
    const failures = await this.#client.hincrby(key, 'failures', 1);
    if (failures < MAX_CODE_FAILURES) return true;
    await this.#client.del(key);
    return false;
  }

  async delete(token: string): Promise<void> {
    await this.#client.del(this.#key(token));
  }
}

/** The part of `SharedState` that goes over pub/sub. */
type Bus = Pick<SharedState, 'publishEvents' | 'onEvents' | 'publishQrDecided' | 'onQrDecided' | 'onAvailability'> & {
  close(): Promise<void>;
};

const isMark = (mark: unknown): mark is EventMark =>
  typeof mark === 'object' && mark !== null && Number.isInteger((mark as EventMark).memberId) && Number.isInteger((mark as EventMark).seq);

/**
 * What instances tell each other, over pub/sub: realtime marks on `<prefix>events` (`{ from, marks }`)
 * and decided QR requests on `<prefix>qr` (`{ from, id }`); `from` names the instance so that it
 * skips its own. A subscribed connection can do nothing else, hence a second one. Marks lost while
 * Redis is away are made good when it is back (`onAvailability`: the hub reads from the store what
 * its connections were not sent, and marks this instance could not publish go out then); a lost QR
 * wake-up leaves the poll to end at its deadline and read the outcome.
 */
async function subscribeBus(client: Redis, prefix: string): Promise<Bus> {
  const from = randomUUID();
  const eventsChannel = `${prefix}events`;
  const qrChannel = `${prefix}qr`;
  const eventListeners = new Set<(marks: readonly EventMark[]) => void>();
  const qrListeners = new Set<(id: string) => void>();
  const availabilityListeners = new Set<(available: boolean) => void>();
  const subscriber = client.duplicate({ enableOfflineQueue: true });
  subscriber.on('error', () => {});
  let available = true;
  let closing = false;
  const announce = (next: boolean) => {
    if (next === available || closing) return;
    available = next;
    for (const listener of availabilityListeners) listener(next);
  };
  // Away as soon as either connection drops: marks published meanwhile are not heard.
  client.on('close', () => announce(false));
  subscriber.on('close', () => announce(false));
  // Back once both are connected and the channels subscribed again: ioredis writes the SUBSCRIBE
  // right after 'ready', so a PING sent on the next turn is answered after it. Only then may the
  // listeners read what they missed: no mark can fall between their read and the subscription.
  const whenBack = () =>
    setImmediate(() => {
      if (client.status !== 'ready' || subscriber.status !== 'ready') return;
      subscriber.ping().then(
        () => {
          announce(true);
          publishMarks([]);
        },
        () => {},
      );
    });
  client.on('ready', whenBack);
  subscriber.on('ready', whenBack);
  subscriber.on('message', (channel: string, text: string) => {
    let message: { from?: unknown; marks?: unknown; id?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.from === from) return;
    if (channel === eventsChannel && Array.isArray(message.marks)) {
      const marks = (message.marks as unknown[]).filter(isMark);
      for (const listener of eventListeners) listener(marks);
    } else if (channel === qrChannel && typeof message.id === 'string') {
      for (const listener of qrListeners) listener(message.id);
    }
  });
  /**
   * Marks this instance could not publish (its connection was away), by member: sent with the next
   * publish or once it is back. Another instance may have come back sooner and caught up already;
   * without these it would hear of those events only at the member's next one.
   */
  const unsent = new Map<number, number>();
  const publishMarks = (marks: readonly EventMark[]) => {
    for (const mark of marks) unsent.set(mark.memberId, Math.max(unsent.get(mark.memberId) ?? 0, mark.seq));
    if (unsent.size === 0) return;
    const sending = [...unsent].map(([memberId, seq]) => ({ memberId, seq }));
    unsent.clear();
    client.publish(eventsChannel, JSON.stringify({ from, marks: sending })).catch(() => {
      for (const mark of sending) unsent.set(mark.memberId, Math.max(unsent.get(mark.memberId) ?? 0, mark.seq));
    });
  };
  await subscriber.subscribe(eventsChannel, qrChannel);
  const listen =
    <T>(set: Set<(value: T) => void>) =>
    (listener: (value: T) => void) => {
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };
  return {
    publishEvents: publishMarks,
    onEvents: listen(eventListeners),
    publishQrDecided: (id) => {
      client.publish(qrChannel, JSON.stringify({ from, id })).catch(() => {});
    },
    onQrDecided: listen(qrListeners),
    onAvailability: listen(availabilityListeners),
    close: async () => {
      closing = true;
      eventListeners.clear();
      qrListeners.clear();
      availabilityListeners.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
