import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchangeCode, issueCode, portalEndpoints, refreshTokens, type TokenOutcome } from '../src/auth/oauthTokens.ts';
import { hashSecret } from '../src/auth/secrets.ts';
import { createContext, type PortalContext } from '../src/http/context.ts';
import { addChatMembers, advanceReadMark, ensurePrivateChat } from '../src/store/chats.ts';
import type { Db } from '../src/store/database.ts';
import { addMember } from '../src/store/members.ts';
import { insertMessage, lastMessageId, markMessageDeleted } from '../src/store/messages.ts';
import { decideQrRequest, insertQrRequest, redeemQrRequest } from '../src/store/qrRequests.ts';
import { appendEvents, eventsAfter } from '../src/store/realtimeEvents.ts';
import { serverKey } from '../src/store/serverKeys.ts';
import { consumeSsoState, insertSsoState } from '../src/store/sso.ts';
import { findToken } from '../src/store/tokens.ts';
import { claimRecoveryCode, claimTotpStep, createUser, setTotp } from '../src/store/users.ts';
import { chatOf, NOW, unreadMismatches, world } from './storeContract.ts';

/** Attempts made at once, spread over the instances. */
const ATTEMPTS = 12;
/** Rounds of attempts where a race is rare in any one round. */
const ROUNDS = 20;

/**
 * Several server instances on one database, every request at once: what must happen once happens
 * once. On PostgreSQL each instance is a pool of its own (as separate processes would have); SQLite
 * is one instance (its deployment: one process, one connection).
 */
export function storeRaces(instances: () => readonly Db[]): void {
  const spread = <T>(attempt: (db: Db, i: number) => Promise<T>): Promise<T[]> => {
    const dbs = instances();
    return Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => attempt(dbs[i % dbs.length] as Db, i)));
  };
  const winners = (results: readonly unknown[]) => results.filter((r) => r === true || (r !== undefined && r !== false)).length;
  const contexts = () => new Map(instances().map((db) => [db, createContext(db, 'localhost', () => NOW)]));

  /** A member of a fresh portal, a context per instance, and an authorization code issued to them. */
  const codeIssued = async () => {
    const [db] = instances() as [Db];
    const { portal, members } = await world(db);
    const ctxs = contexts();
    const ctx = ctxs.get(db) as PortalContext;
    const endpointsOf = () => portalEndpoints('http://p.localhost');
    const { code } = await issueCode(ctx, {
      portalId: portal.id,
      memberId: members[0].id,
      clientId: 'c',
      codeChallenge: 'x',
      deviceName: 'd',
    });
    return { db, portal, members, ctxs, ctx, endpointsOf, code };
  };

  test('a refresh token presented on every instance at once rotates once, and the sign-in is revoked for the replays', async () => {
    const { db, portal, members, ctxs, ctx, endpointsOf, code } = await codeIssued();
    const first = await exchangeCode(
      ctx,
      { clientId: 'c', code, portalId: portal.id, scope: 'im', endpointsOf },
      { ip: '', userAgent: '' },
    );
    assert.ok(first.ok);
    const outcomes = await spread((instance) =>
      refreshTokens(ctxs.get(instance) as PortalContext, {
        clientId: 'c',
        refreshToken: first.tokens.refresh_token,
        portalId: portal.id,
        endpointsOf,
      }),
    );
    const ok = outcomes.filter((o): o is Extract<TokenOutcome, { ok: true }> => o.ok);
    assert.equal(ok.length, 1, 'one rotation');
    assert.ok(outcomes.every((o) => o.ok || o.error === 'invalid_grant'));
    assert.equal(await findToken(db, hashSecret(ok[0]?.tokens.access_token ?? '')), undefined, "the winner's access token is gone");
    const family = await db.selectFrom('token_families').select('revoked_at').where('member_id', '=', members[0].id).executeTakeFirst();
    assert.notEqual(family?.revoked_at ?? null, null, 'the replays revoked the sign-in');
  });

  test('an authorization code exchanged on every instance at once gives one sign-in, and the replays revoke it', async () => {
    const { db, portal, members, ctxs, endpointsOf, code } = await codeIssued();
    const outcomes = await spread((instance) =>
      exchangeCode(
        ctxs.get(instance) as PortalContext,
        { clientId: 'c', code, portalId: portal.id, scope: 'im', endpointsOf },
        { ip: '', userAgent: '' },
      ),
    );
    assert.equal(outcomes.filter((o) => o.ok).length, 1);
    const families = await db.selectFrom('token_families').select('revoked_at').where('member_id', '=', members[0].id).execute();
    assert.equal(families.length, 1, 'one sign-in');
    if (ATTEMPTS > 1) assert.notEqual(families[0]?.revoked_at, null);
  });

  test('one client message id sent on every instance at once makes one message, and every send answers with it', async () => {
    const [db] = instances() as [Db];
    const { portal, members } = await world(db);
    const chat = await chatOf(db, portal, members);
    const results = await spread((instance) =>
      instance
        .transaction()
        .execute((trx) =>
          insertMessage(trx, { chatId: chat.id, authorMemberId: members[0].id, text: 'once', clientMessageId: 'same', now: NOW }),
        ),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
    const stored = await db.selectFrom('messages').select('id').where('chat_id', '=', chat.id).execute();
    assert.equal(stored.length, 1);
  });

  test("events for the same members written at once, in either order, get each member's seq once, without gaps or a deadlock", async () => {
    const [db] = instances() as [Db];
    const { members } = await world(db);
    const [a, b] = [members[0].id, members[1].id];
    await spread((instance, i) =>
      instance.transaction().execute(async (trx) => {
        const order = i % 2 === 0 ? [a, b] : [b, a];
        await appendEvents(
          trx,
          order.map((memberId) => ({ memberId, payload: String(i) })),
          NOW,
          { keepEvents: 1000 },
        );
      }),
    );
    for (const member of [a, b]) {
      const seqs = (await eventsAfter(db, member, 0)).map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: ATTEMPTS }, (_, i) => i + 1),
      );
    }
  });

  test('a later seq is never seen before an earlier one commits', async () => {
    const dbs = instances();
    const [first, second = first, reader = first] = dbs as [Db, Db?, Db?];
    const { members } = await world(first);
    const memberId = members[0].id;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let appended!: () => void;
    const hasAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const slow = first.transaction().execute(async (trx) => {
      await appendEvents(trx, [{ memberId, payload: 'first' }], NOW, { keepEvents: 1000 });
      appended();
      await held;
    });
    await hasAppended;
    // On one SQLite connection the second writer waits for the first transaction by construction.
    const fast = second.transaction().execute((trx) => appendEvents(trx, [{ memberId, payload: 'second' }], NOW, { keepEvents: 1000 }));
    if (dbs.length > 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(await eventsAfter(reader, memberId, 0), [], 'nothing is visible while the first is open');
    }
    release();
    await slow;
    await fast;
    assert.deepEqual(
      (await eventsAfter(reader, memberId, 0)).map((e) => [e.seq, e.payload]),
      [
        [1, 'first'],
        [2, 'second'],
      ],
    );
  });

  test('a QR request is decided once and its approval collected once', async () => {
    const [db] = instances() as [Db];
    const { portal, users, members } = await world(db);
    const id = `qr-${portal.id}`;
    await insertQrRequest(db, {
      id,
      poll_token_hash: 'p',
      portal_id: portal.id,
      client_id: 'c',
      code_challenge: 'x',
      device_name: 'd',
      device_os: 'o',
      app_version: '1',
      ip: '',
      created_at: NOW,
      expires_at: NOW + 60_000,
    });
    const decided = await spread((instance, i) =>
      decideQrRequest(instance, id, { status: i % 2 ? 'denied' : 'approved', userId: users[0].id, memberId: members[0].id, now: NOW }),
    );
    assert.equal(winners(decided), 1);
    await db.updateTable('qr_requests').set({ status: 'approved' }).where('id', '=', id).execute();
    assert.equal(winners(await spread((instance) => redeemQrRequest(instance, id, NOW))), 1);
  });

  test('an SSO state, a TOTP step and a recovery code each work once', async () => {
    const [db] = instances() as [Db];
    const { portal, users } = await world(db);
    await insertSsoState(db, {
      state_hash: `s-${portal.id}`,
      portal_id: portal.id,
      issuer: 'https://idp',
      nonce: 'n',
      code_verifier: 'v',
      purpose: 'web',
      next: '/',
      desktop_client_id: null,
      desktop_redirect_uri: null,
      desktop_state: null,
      desktop_code_challenge: null,
      desktop_device_name: null,
      created_at: NOW,
      expires_at: NOW + 60_000,
    });
    assert.equal(winners(await spread((instance) => consumeSsoState(instance, portal.id, `s-${portal.id}`, NOW))), 1);
    await setTotp(db, users[0].id, 'SECRET', ['r1']);
    assert.equal(winners(await spread((instance) => claimTotpStep(instance, users[0].id, 1000))), 1);
    assert.equal(winners(await spread((instance) => claimRecoveryCode(instance, users[0].id, 'r1', NOW))), 1);
  });

  test('a private dialog and a server key created on every instance at once exist once', async () => {
    const [db] = instances() as [Db];
    const { portal, members } = await world(db);
    const chats = await spread((instance) =>
      instance.transaction().execute((trx) => ensurePrivateChat(trx, portal.id, members[0].id, members[1].id, NOW)),
    );
    assert.equal(new Set(chats.map((c) => c.id)).size, 1);
    const people = await db
      .selectFrom('chat_members')
      .select('member_id')
      .where('chat_id', '=', chats[0]?.id ?? 0)
      .execute();
    assert.equal(people.length, 2);
    const name = `key-${portal.id}`;
    const keys = await spread((instance, i) => serverKey(instance, name, () => `value-${i}`, NOW));
    assert.equal(new Set(keys).size, 1);
  });

  test('messages sent, read, deleted and members added on every instance at once leave each unread count equal to counting the messages', async () => {
    const [db] = instances() as [Db];
    const { portal, members } = await world(db);
    const [a, b] = [members[0].id, members[1].id];
    const chat = await chatOf(db, portal, members, NOW);
    // Each change starts at a moment of its own and is a transaction that stays open a moment after
    // it, as an im method's does while it writes the change's events: the moments when another
    // instance's change can come between.
    const moment = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    const change = async (instance: Db, work: (trx: Db) => Promise<unknown>) => {
      await moment();
      await instance.transaction().execute(async (trx) => {
        await work(trx);
        await moment();
      });
    };
    const send = (instance: Db, author: number, i: number) =>
      change(instance, (trx) =>
        insertMessage(trx, { chatId: chat.id, authorMemberId: author, text: `m${i}`, clientMessageId: null, now: NOW + i }),
      );
    const rounds = Array.from({ length: ROUNDS }, (_, i) => i + 1);
    const early = await Promise.all(
      [...rounds, ...rounds].map(
        async (i) =>
          (await insertMessage(db, { chatId: chat.id, authorMemberId: b, text: `e${i}`, clientMessageId: null, now: NOW })).message.id,
      ),
    );
    const joiners = await Promise.all(
      rounds.map(async (i) => {
        const user = await createUser(db, {
          email: `joiner-${i}-${portal.id}@example.com`,
          password_hash: 'x',
          name: 'joiner',
          last_name: '',
          totp_secret: null,
          totp_last_step: null,
          created_at: NOW,
        });
        return (await addMember(db, portal.id, user.id, 'user', NOW)).id;
      }),
    );
    for (let round = 0; round < ROUNDS; round++) {
      // Of 12 at once: 6 messages (by a, then b), 3 reads (a, b, a), 2 deletes and a new member.
      await spread(async (instance, i) => {
        const reader = i % 8 < 4 ? a : b;
        switch (i % 4) {
          case 0:
          case 1:
            return send(instance, i % 2 === 0 ? a : b, round * ATTEMPTS + i);
          case 2:
            return change(instance, async (trx) => advanceReadMark(trx, chat.id, reader, await lastMessageId(trx, chat.id)));
          default:
            if (i % 8 === 7) return change(instance, (trx) => addChatMembers(trx, chat.id, [joiners[round] ?? 0], NOW));
            return change(instance, (trx) => markMessageDeleted(trx, early.pop() ?? 0, NOW));
        }
      });
      // After each round: a later read counts again, and would hide a count that went wrong.
      assert.deepEqual(await unreadMismatches(db, chat.id), [], `round ${round}`);
    }
    const joined = await db.selectFrom('chat_members').select('member_id').where('chat_id', '=', chat.id).execute();
    assert.equal(joined.length, 2 + ROUNDS);
  });
}
