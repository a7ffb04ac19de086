import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QrWaiters } from '../src/auth/qrWaiters.ts';

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('notify wakes every poll waiting for that request and none waiting for another', async () => {
  const waiters = new QrWaiters();
  const a1 = waiters.wait('a', 60_000);
  const a2 = waiters.wait('a', 60_000);
  const b = waiters.wait('b', 60_000);
  assert.equal(waiters.size, 3);
  waiters.notify('a');
  assert.equal(await settled(a1), true);
  assert.equal(await settled(a2), true);
  assert.equal(await settled(b), false);
  assert.equal(waiters.size, 1);
  waiters.notify('b');
  await b;
  assert.equal(waiters.size, 0);
});

test('a wait ends at its deadline, or at once when its signal aborts, and unregisters either way', async () => {
  const waiters = new QrWaiters();
  await waiters.wait('a', 5);
  const controller = new AbortController();
  const aborted = waiters.wait('a', 60_000, controller.signal);
  assert.equal(waiters.size, 1);
  controller.abort();
  assert.equal(await settled(aborted), true);
  assert.equal(waiters.size, 0);
  await waiters.wait('a', 60_000, AbortSignal.abort());
  assert.equal(waiters.size, 0);
});
