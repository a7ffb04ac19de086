import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRedisSharedState } from '../src/shared/redisSharedState.ts';
import type { SharedState } from '../src/shared/sharedState.ts';

const SCRIPT = fileURLToPath(new URL('../../../scripts/test-redis.sh', import.meta.url));

/**
 * Redis for a test file: the server at `MULTIDESK_TEST_REDIS` (`scripts/test-redis.sh run` sets it),
 * or else a private one started here by that script and stopped when the process ends. `skip` is set
 * when Redis 7 is not installed, unless `MULTIDESK_REQUIRE_REDIS=1` (the test command) makes that a failure.
 */
export interface TestRedis {
  skip?: string;
  /** One instance's kept connection; each gets its own key prefix per `space`, so test files never meet. */
  open(space: string): Promise<SharedState>;
  /** The server's `redis://` URL, for instances started as processes (`serve --redis`). */
  url(): string;
}

export function testRedis(): TestRedis {
  const given = process.env.MULTIDESK_TEST_REDIS;
  let url: string | undefined = given;
  const start = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-redis-'));
    const started = spawnSync('sh', [SCRIPT, 'start', dir], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`Redis did not start: ${started.stderr.trim()}`);
    process.once('exit', () => spawnSync('sh', [SCRIPT, 'stop', dir], { stdio: 'ignore' }));
    return started.stdout.trim();
  };
  const installed = given !== undefined || spawnSync('sh', [SCRIPT, 'check']).status === 0;
  const skip =
    installed || process.env.MULTIDESK_REQUIRE_REDIS === '1' ? undefined : 'Redis 7 is not installed (sh scripts/test-redis.sh install)';
  const run = randomBytes(4).toString('hex');
  return {
    ...(skip ? { skip } : {}),
    open: async (space) => {
      url ??= start();
      return openRedisSharedState(url, { keyPrefix: `multidesk-test:${run}:${space}:` });
    },
    url: () => {
      url ??= start();
      return url;
    },
  };
}
