import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureLimiter, LeakyBucket } from '../src/auth/rateLimiter.ts';

describe('FailureLimiter', () => {
  test('allows attempts until the limit, then tells how long to wait, then forgives', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.retryAfter('k'), 0);
      limiter.fail('k');
    }
    assert.equal(limiter.retryAfter('k'), 60);
    now += 30_000;
    assert.equal(limiter.retryAfter('k'), 30);
    assert.equal(limiter.retryAfter('other'), 0);
    now += 30_001;
    assert.equal(limiter.retryAfter('k'), 0);
  });

  test('a reset clears the key', () => {
    const limiter = new FailureLimiter(1, 60_000);
    limiter.fail('k');
    assert.ok(limiter.retryAfter('k') > 0);
    limiter.reset('k');
    assert.equal(limiter.retryAfter('k'), 0);
  });
});

describe('LeakyBucket', () => {
  test('takes a burst, refuses the next, and drains over time', () => {
    let now = 0;
    const bucket = new LeakyBucket(3, 2, () => now);
    assert.deepEqual([bucket.take('u'), bucket.take('u'), bucket.take('u'), bucket.take('u')], [true, true, true, false]);
    assert.equal(bucket.take('v'), true);
    now += 500;
    assert.equal(bucket.take('u'), true);
    assert.equal(bucket.take('u'), false);
  });
});
