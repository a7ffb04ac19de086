import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { totpCode } from '../src/auth/totp.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { pkcePair, postJson } from './signIn.ts';
import { Browser } from './webPagesClient.ts';

/**
 * Regression (issue 17, D2): the throttle was checked before the ~40 ms password hash and the
 * failure counted after it, so guesses sent in parallel were all checked. Each test fires its
 * guesses at once and counts how many were actually checked (401) rather than refused (429).
 */

const PASSWORD = 'multidesk-demo';

async function withPortal(limits: { failuresPerLogin: number; failuresPerIp: number }, run: (portal: TestPortal) => Promise<void>) {
  const portal = await startTestPortal({ limits });
  try {
    await run(portal);
  } finally {
    await portal.close();
  }
}

function desktopLogin(portal: TestPortal, login: string, password: string, otp?: string) {
  return postJson(`${portal.url('acme')}/oauth/desktop/login`, {
    login,
    password,
    ...(otp === undefined ? {} : { otp }),
    client_id: DESKTOP_CLIENT_ID,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    device_name: 'Guesser',
  });
}

function statuses(results: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

describe('parallel guesses are throttled like sequential ones', () => {
  test('40 parallel wrong passwords for one login: 5 are checked, 35 get 429', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 1000 }, async (portal) => {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          postJson(`${portal.url()}/network/login`, { login: 'anna@example.com', password: `wrong-${i}` }),
        ),
      );
      assert.deepEqual(statuses(results), { 401: 5, 429: 35 });
      for (const r of results.filter((x) => x.status === 429)) assert.equal(r.body.error, 'too_many_attempts');
    }));

  test('in a burst of 200 guesses the right password at #150 never returns a code', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 1000 }, async (portal) => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => desktopLogin(portal, 'anna@example.com', i === 150 ? PASSWORD : `wrong-${i}`)),
      );
      assert.equal(results[150]?.status, 429);
      assert.equal(
        results.some((r) => r.status === 200),
        false,
      );
      assert.deepEqual(statuses(results), { 401: 5, 429: 195 });
    }));

  test('100 parallel guesses from one IP across logins: 30 are checked', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 30 }, async (portal) => {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => desktopLogin(portal, `user${i}@example.com`, 'wrong-password')),
      );
      assert.deepEqual(statuses(results), { 401: 30, 429: 70 });
    }));

  test('100 parallel wrong TOTP codes with the right password: 5 are checked', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 1000 }, async (portal) => {
      const secret = portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
      const right = totpCode(secret, portal.clock.now());
      const wrong = right === '000000' ? '111111' : '000000';
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          postJson(`${portal.url()}/network/login`, { login: 'chen@example.com', password: PASSWORD, otp: wrong }),
        ),
      );
      assert.deepEqual(statuses(results), { 401: 5, 429: 95 });
    }));

  test("the web page's code step: 100 parallel wrong codes over 20 pending sign-ins, 5 are checked", () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 1000 }, async (portal) => {
      const secret = portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
      const browsers = Array.from({ length: 20 }, () => new Browser(portal.url('initech')));
      for (const browser of browsers) {
        const first = await browser.post('/login', { login: 'chen@example.com', password: PASSWORD });
        assert.equal(first.location, '/login/code', 'the right password is not a failure');
      }
      const right = totpCode(secret, portal.clock.now());
      const wrong = right === '000000' ? '111111' : '000000';
      const results = await Promise.all(
        browsers.flatMap((browser) => Array.from({ length: 5 }, () => browser.post('/login/code', { code: wrong }))),
      );
      // Each pending step would take five wrong codes; the login's throttle holds across all of them.
      const counts = statuses(results);
      assert.equal(counts[401], 5);
      assert.equal((counts[429] ?? 0) + (counts[400] ?? 0), 95);
    }));

  test('a right answer gives its attempt back: after 3 good sign-ins of one IP (limit 3), 3 wrong ones are still checked', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 3 }, async (portal) => {
      const good = await Promise.all(
        Array.from({ length: 3 }, () => postJson(`${portal.url()}/network/login`, { login: 'anna@example.com', password: PASSWORD })),
      );
      assert.deepEqual(statuses(good), { 200: 3 });
      const wrong = await Promise.all(
        Array.from({ length: 4 }, () => postJson(`${portal.url()}/network/login`, { login: 'ben@example.com', password: 'wrong' })),
      );
      assert.deepEqual(statuses(wrong), { 401: 3, 429: 1 });
    }));

  test('network authorize: 50 parallel guessed sessions from one IP, 30 are checked', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 30 }, async (portal) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postJson(`${portal.url()}/network/authorize`, {
            session: `guessed-session-${i}-${'x'.repeat(40)}`,
            portal_url: portal.url('acme'),
            client_id: DESKTOP_CLIENT_ID,
            code_challenge: pkcePair().challenge,
            code_challenge_method: 'S256',
          }),
        ),
      );
      assert.deepEqual(statuses(results), { 401: 30, 429: 20 });
    }));

  test('QR poll: 50 parallel guessed poll tokens from one IP, 30 are checked', () =>
    withPortal({ failuresPerLogin: 5, failuresPerIp: 30 }, async (portal) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postJson(`${portal.url('acme')}/qr/requests/poll`, { id: `guess-${i}`, poll_token: `token-${i}`, wait: 0 }),
        ),
      );
      assert.deepEqual(statuses(results), { 404: 30, 429: 20 });
    }));
});
