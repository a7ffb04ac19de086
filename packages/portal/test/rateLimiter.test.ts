import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureLimiter, LeakyBucket, reserveAttempt } from '../src/auth/rateLimiter.ts';

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

describe('reserveAttempt', () => {
  test('counts on every key at once, refuses when any key is spent, and a release gives the attempt back', () => {
    const logins = new FailureLimiter(2, 60_000);
    const ips = new FailureLimiter(3, 60_000);
    const first = reserveAttempt([logins, 'anna'], [ips, '10.0.0.1']);
    const second = reserveAttempt([logins, 'anna'], [ips, '10.0.0.1']);
    assert.ok(first.ok && second.ok);
    const third = reserveAttempt([logins, 'anna'], [ips, '10.0.0.1']);
    assert.equal(third.ok, false, 'two attempts in flight spend the login');
    assert.ok(!third.ok && third.retryAfter > 0);
    assert.equal(ips.retryAfter('10.0.0.1'), 0, 'a refused attempt counts nowhere');
    first.release();
    assert.ok(reserveAttempt([logins, 'anna'], [ips, '10.0.0.1']).ok, 'the released attempt is free again');
    assert.equal(ips.retryAfter('10.0.0.1'), 0, 'the IP holds two of three');
    assert.ok(reserveAttempt([logins, 'ben'], [ips, '10.0.0.1']).ok);
    assert.ok(ips.retryAfter('10.0.0.1') > 0, 'the IP now holds three');
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
