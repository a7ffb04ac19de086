import { Redis } from 'ioredis';
import type { SharedBucket, SharedState } from './sharedState.ts';

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

type BucketClient = Redis & { leakyBucketTake(key: string, capacity: number, drainPerMs: number, now: number): Promise<number> };

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
  // No offline queue: while the server is away a command fails at once instead of holding a request.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }) as BucketClient;
  client.defineCommand('leakyBucketTake', { numberOfKeys: 1, lua: LEAKY_BUCKET_TAKE });
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
  return {
    kind: 'redis',
    leakyBucket: (name, capacity, drainPerSecond, now): SharedBucket => ({
      // With Redis away the request is let through: REST keeps serving, unmetered, until it is back.
      take: (key) =>
        client.leakyBucketTake(`${prefix}bucket:${name}:${key}`, capacity, drainPerSecond / 1000, now()).then(
          (taken) => taken === 1,
          () => true,
        ),
    }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
