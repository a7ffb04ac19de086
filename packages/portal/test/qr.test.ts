import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DESKTOP_CLIENT_ID, QR_TTL_SECONDS } from '@multidesk/protocol';
import { hashSecret } from '../src/auth/secrets.ts';
import { findMembership } from '../src/store/members.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { findUserByEmail } from '../src/store/users.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { createQr, decide, poll, qrRequestBody, signedInBrowser, storedStatus } from './qrClient.ts';
import { pkcePair, postForm, postJson } from './signIn.ts';
import { pageText } from './webPagesClient.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const exchange = (portalName: string, code: string, verifier: string) =>
  postForm(`${portal.url(portalName)}/oauth/token/`, {
    grant_type: 'authorization_code',
    client_id: DESKTOP_CLIENT_ID,
    code,
    code_verifier: verifier,
  });

/** Resolves 'timer' after `ms` unless the promise settles first. */
function raceTimer<T>(promise: Promise<T>, ms: number): Promise<T | 'timer'> {
  const controller = new AbortController();
  return Promise.race([
    promise.finally(() => controller.abort()),
    sleep(ms, 'timer' as const, { signal: controller.signal }).catch(() => 'timer' as const),
  ]);
}

describe('QR sign-in on the network host', () => {
  test('a request carries only an opaque id in its approval address and keeps only a hash of the poll token', async () => {
    const qr = await createQr(portal);
    assert.match(qr.id, /^[A-Za-z0-9_-]{22,}$/);
    assert.match(qr.poll_token, /^[A-Za-z0-9_-]{43,}$/);
    assert.equal(qr.approve_url, `${portal.url()}/qr/${qr.id}`);
    assert.ok(!qr.approve_url.includes(qr.poll_token));
    assert.equal(qr.expires_in, QR_TTL_SECONDS);
    const row = await portal.db.selectFrom('qr_requests').selectAll().where('id', '=', qr.id).executeTakeFirstOrThrow();
    assert.equal(row.poll_token_hash, hashSecret(qr.poll_token));
    assert.ok(!Object.values(row).includes(qr.poll_token), 'the poll token itself is stored nowhere');
    assert.equal(row.portal_id, null);
    assert.equal(row.ip, '127.0.0.1');
  });

  test("approved in anna's browser, the poll returns a network session listing her three portals, which /network/authorize accepts", async () => {
    const qr = await createQr(portal);
    const pending = await poll(qr);
    assert.equal(pending.status, 200);
    assert.equal(pending.body.status, 'pending');
    assert.ok(pending.body.expires_in > 0 && pending.body.expires_in <= QR_TTL_SECONDS);

    const phone = await signedInBrowser(portal, undefined, 'anna@example.com');
    const approved = await decide(phone, qr.id, 'approve');
    assert.equal(approved.status, 200);
    assert.match(pageText(approved.text), /Approved\. You can return to Multidesk\./);

    const result = await poll(qr);
    assert.equal(result.status, 200);
    assert.equal(result.body.status, 'approved');
    assert.ok(result.body.expires_in > 0);
    assert.deepEqual(
      result.body.portals.map((p: { title: string; user_name: string }) => [p.title, p.user_name]),
      [
        ['Acme Corp', 'Anna Smirnova'],
        ['Globex', 'Anna Smirnova'],
        ['Initech', 'Anna Smirnova'],
      ],
    );
    const authorized = await postJson(`${portal.url()}/network/authorize`, {
      session: result.body.session,
      portal_url: portal.url('globex'),
      client_id: DESKTOP_CLIENT_ID,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    assert.equal(authorized.status, 200);
    assert.equal(authorized.body.portal_url, portal.url('globex'));
  });

  test('an approval is collected once: a second poll gets 410 already_redeemed', async () => {
    const qr = await createQr(portal);
    await decide(await signedInBrowser(portal, undefined, 'anna@example.com'), qr.id, 'approve');
    assert.equal((await poll(qr)).body.status, 'approved');
    const again = await poll(qr, 5);
    assert.equal(again.status, 410);
    assert.equal(again.body.error, 'already_redeemed');
  });

  test('denying makes the poll answer denied, every time it asks', async () => {
    const qr = await createQr(portal);
    const denied = await decide(await signedInBrowser(portal, undefined, 'ben@example.com'), qr.id, 'deny');
    assert.equal(denied.status, 200);
    assert.match(pageText(denied.text), /Denied\./);
    assert.deepEqual((await poll(qr)).body, { status: 'denied' });
    assert.deepEqual((await poll(qr, 5)).body, { status: 'denied' });
    assert.equal(await storedStatus(portal, qr.id), 'denied');
  });

  test('the long poll returns as soon as the request is approved', async () => {
    const qr = await createQr(portal);
    const phone = await signedInBrowser(portal, undefined, 'anna@example.com');
    const page = await phone.get(`/qr/${qr.id}`);
    const waiting = poll(qr, 10);
    // Approve while the poll is parked on the server (it asked for up to 10 seconds).
    for (let i = 0; i < 100 && portal.app.ctx.qrWaiters.size === 0; i++) await sleep(20);
    assert.equal(portal.app.ctx.qrWaiters.size, 1, 'the poll is waiting');
    const approved = await phone.post(`/qr/${qr.id}/approve`, { csrf: /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '' });
    assert.equal(approved.status, 200);
    const result = await raceTimer(waiting, 5_000);
    assert.notEqual(result, 'timer', 'the poll answered before its deadline');
    assert.equal((result as Awaited<typeof waiting>).body.status, 'approved');
    assert.equal(portal.app.ctx.qrWaiters.size, 0);
  });

  test('a client that gives up on a long poll leaves no waiter behind, and the approval stays collectable', async () => {
    const qr = await createQr(portal);
    const controller = new AbortController();
    const waiting = poll(qr, 20, controller.signal).catch((error: Error) => error);
    for (let i = 0; i < 100 && portal.app.ctx.qrWaiters.size === 0; i++) await sleep(20);
    assert.equal(portal.app.ctx.qrWaiters.size, 1);
    controller.abort();
    assert.ok((await waiting) instanceof Error);
    for (let i = 0; i < 100 && portal.app.ctx.qrWaiters.size > 0; i++) await sleep(20);
    assert.equal(portal.app.ctx.qrWaiters.size, 0, 'the waiter is gone with its connection');
    await decide(await signedInBrowser(portal, undefined, 'anna@example.com'), qr.id, 'approve');
    assert.equal((await poll(qr)).body.status, 'approved');
  });

  test('a request left undecided for 60 seconds expires: the poll says expired and it can no longer be approved', async () => {
    const qr = await createQr(portal);
    const phone = await signedInBrowser(portal, undefined, 'anna@example.com');
    portal.clock.advance(61_000);
    assert.deepEqual((await poll(qr)).body, { status: 'expired' });
    assert.deepEqual((await poll(qr, 10)).body, { status: 'expired' }, 'an expired request is answered at once');
    const page = await phone.get(`/qr/${qr.id}`);
    assert.equal(page.status, 410);
    assert.match(pageText(page.text), /This QR code has expired/);
    assert.doesNotMatch(page.text, />Approve</);
  });

  test('a wrong poll token and an unknown id get the same 404 unknown_request', async () => {
    const qr = await createQr(portal);
    const wrongToken = await poll({ ...qr, poll_token: `${qr.poll_token.slice(0, -2)}xx` });
    const unknownId = await poll({ ...qr, id: 'AAAAAAAAAAAAAAAAAAAAAA' });
    assert.equal(wrongToken.status, 404);
    assert.deepEqual(wrongToken.body, unknownId.body);
    assert.equal(wrongToken.body.error, 'unknown_request');
    assert.equal((await poll(qr)).body.status, 'pending', 'the real desktop still polls fine');
  });

  test('the request must come from the desktop client with a PKCE challenge', async () => {
    const base = qrRequestBody();
    const otherClient = await postJson(`${portal.url()}/qr/requests`, { ...base, client_id: 'someone-else' });
    assert.equal(otherClient.status, 400);
    assert.equal(otherClient.body.error, 'invalid_client');
    assert.equal((await postJson(`${portal.url()}/qr/requests`, { ...base, code_challenge: 'short' })).status, 400);
    assert.equal((await postJson(`${portal.url()}/qr/requests`, { ...base, code_challenge_method: 'plain' })).status, 400);
    assert.equal((await postJson(`${portal.url()}/qr/requests`, { ...base, device_name: '' })).status, 400);
  });
});

describe('QR sign-in on a portal host', () => {
  test('approved by a member, the poll returns a code that /oauth/token/ exchanges with the request’s verifier', async () => {
    const qr = await createQr(portal, 'initech');
    assert.equal(qr.approve_url, `${portal.url('initech')}/qr/${qr.id}`);
    await decide(await signedInBrowser(portal, 'initech', 'anna@example.com'), qr.id, 'approve');
    const result = await poll(qr);
    assert.equal(result.body.status, 'approved');
    assert.equal(result.body.portal_title, 'Initech');
    assert.ok(result.body.expires_in > 0);
    const tokens = await exchange('initech', result.body.code, qr.verifier);
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.domain, `initech.localhost:${portal.port}`);
    const initech = await findPortalByName(portal.db, 'initech');
    const anna = await findUserByEmail(portal.db, 'anna@example.com');
    assert.ok(initech && anna);
    assert.equal(tokens.body.user_id, (await findMembership(portal.db, initech.id, anna.id))?.id);
    const family = await portal.db.selectFrom('token_families').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(family.device_name, 'Anna’s laptop');
  });

  test('the code is useless with another verifier, and that attempt spends it', async () => {
    const qr = await createQr(portal, 'initech');
    await decide(await signedInBrowser(portal, 'initech', 'anna@example.com'), qr.id, 'approve');
    const { code } = (await poll(qr)).body;
    const stolen = await exchange('initech', code, pkcePair().verifier);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.equal((await exchange('initech', code, qr.verifier)).status, 400);
  });

  test('a request made on acme is unknown to the poll on globex and on the network', async () => {
    const qr = await createQr(portal, 'acme');
    assert.equal((await poll({ ...qr, site: portal.url('globex') })).body.error, 'unknown_request');
    assert.equal((await poll({ ...qr, site: portal.url() })).body.error, 'unknown_request');
    assert.equal((await poll(qr)).body.status, 'pending');
  });
});

describe('QR long polls and shutdown', () => {
  test('closing the server answers a waiting poll at once with pending instead of holding up the close', async () => {
    const closing = await startTestPortal();
    const qr = await createQr(closing);
    const waiting = poll(qr, 20);
    for (let i = 0; i < 100 && closing.app.ctx.qrWaiters.size === 0; i++) await sleep(20);
    assert.equal(closing.app.ctx.qrWaiters.size, 1);
    const closed = closing.close();
    const result = await raceTimer(waiting, 5_000);
    assert.notEqual(result, 'timer', 'the poll answered before its deadline');
    assert.equal((result as Awaited<typeof waiting>).body.status, 'pending');
    await closed;
  });
});

describe('QR throttling', () => {
  test('creating requests is limited per IP: past the limit, 429 too_many_attempts with retry_after', async () => {
    const limited = await startTestPortal({ limits: { qrRequestsPerIp: 3 } });
    try {
      for (let i = 0; i < 3; i++) await createQr(limited, i === 1 ? 'acme' : undefined);
      const body = qrRequestBody();
      const blocked = await postJson(`${limited.url('globex')}/qr/requests`, body);
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error, 'too_many_attempts');
      assert.ok(blocked.body.retry_after > 0 && blocked.body.retry_after <= 60);
      assert.equal(blocked.headers.get('retry-after'), String(blocked.body.retry_after));
      limited.clock.advance(61_000);
      assert.equal((await postJson(`${limited.url()}/qr/requests`, body)).status, 200);
    } finally {
      await limited.close();
    }
  });

  test('guessing poll tokens counts as failures of the IP, until even the right token gets 429', async () => {
    const limited = await startTestPortal({ limits: { failuresPerIp: 3 } });
    try {
      const qr = await createQr(limited);
      for (let i = 0; i < 3; i++) assert.equal((await poll({ ...qr, poll_token: `guess-${i}` })).status, 404);
      const blocked = await poll(qr);
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error, 'too_many_attempts');
    } finally {
      await limited.close();
    }
  });
});
