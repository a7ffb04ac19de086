import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { hashSecret } from '../src/auth/secrets.ts';
import { credentialKey, type RestCredentials } from '../src/rest/auth.ts';
import { openDatabase } from '../src/store/database.ts';
import { findPortalByName } from '../src/store/portals.ts';
import { revokeFamily } from '../src/store/tokens.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { postForm } from './signIn.ts';
import { call, restPortal, signInAs, webhookFor } from './tokens.ts';

/**
 * A credential that authenticated a moment ago is taken from memory (`ctx.credentialReads`); each
 * test first proves it was, then changes the database in one of the ways that ends a credential and
 * expects the very next request to be refused.
 */

const { portal, acme } = await restPortal();
const acmePortal = (await findPortalByName(portal.db, 'acme'))!;

/** Calls user.current twice (the second from memory) and checks the credential is kept. */
async function servedFromMemory(target: TestPortal, url: string, credentials: Exclude<RestCredentials, { kind: 'none' }>): Promise<void> {
  for (let i = 0; i < 2; i++) assert.equal((await call(url)).status, 200);
  const site = (await findPortalByName(target.db, 'acme'))!;
  const secretHash = hashSecret(credentials.kind === 'token' ? credentials.token : credentials.secret);
  assert.ok(target.app.ctx.credentialReads.get(credentialKey(site, credentials, secretHash)), 'the credential is kept in memory');
}

async function familyOf(accessToken: string): Promise<number> {
  const row = await portal.db
    .selectFrom('oauth_tokens')
    .select('family_id')
    .where('token_hash', '=', hashSecret(accessToken))
    .executeTakeFirstOrThrow();
  return row.family_id;
}

async function assertRefused(url: string, error: string): Promise<void> {
  const reply = await call(url);
  assert.equal(reply.status, 401);
  assert.equal(reply.body.error, error);
}

describe('REST credentials kept in memory', () => {
  test('a token is refused at once after /oauth/revoke, though it was served from memory', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const url = `${acme}/rest/user.current?auth=${tokens.access_token}`;
    await servedFromMemory(portal, url, { kind: 'token', token: tokens.access_token });
    const revoked = await postForm(`${acme}/oauth/revoke`, { token: tokens.refresh_token });
    assert.equal(revoked.status, 200);
    await assertRefused(url, 'invalid_token');
  });

  test('a refresh token presented again revokes its sign-in, and every access token of it is refused at once', async () => {
    const first = await signInAs(portal, 'acme', 'ben@example.com');
    const refresh = (token: string) =>
      postForm(`${acme}/oauth/token/`, { grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: token });
    const rotated = await refresh(first.refresh_token);
    assert.equal(rotated.status, 200);
    const urls = [first.access_token, rotated.body.access_token as string].map((token) => `${acme}/rest/user.current?auth=${token}`);
    await servedFromMemory(portal, urls[0]!, { kind: 'token', token: first.access_token });
    await servedFromMemory(portal, urls[1]!, { kind: 'token', token: rotated.body.access_token });
    assert.equal((await refresh(first.refresh_token)).body.error, 'invalid_grant');
    for (const url of urls) await assertRefused(url, 'invalid_token');
  });

  test('a sign-out (its sign-in revoked in the store, as the sessions page and app removal do) is refused at once', async () => {
    const tokens = await signInAs(portal, 'acme', 'marcus@example.com');
    const url = `${acme}/rest/user.current?auth=${tokens.access_token}`;
    await servedFromMemory(portal, url, { kind: 'token', token: tokens.access_token });
    await revokeFamily(portal.db, await familyOf(tokens.access_token), portal.clock.now());
    await assertRefused(url, 'invalid_token');
  });

  test('a member deactivated by a direct write to the database is refused at once', async () => {
    const tokens = await signInAs(portal, 'acme', 'olivia@example.com');
    const url = `${acme}/rest/user.current?auth=${tokens.access_token}`;
    await servedFromMemory(portal, url, { kind: 'token', token: tokens.access_token });
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', tokens.user_id).execute();
    try {
      await assertRefused(url, 'invalid_token');
    } finally {
      await portal.db.updateTable('members').set({ active: 1 }).where('id', '=', tokens.user_id).execute();
    }
  });

  test('a revocation by another connection to the database (the CLI, another process) is refused at once', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const url = `${acme}/rest/user.current?auth=${tokens.access_token}`;
    await servedFromMemory(portal, url, { kind: 'token', token: tokens.access_token });
    const other = await openDatabase(portal.dataDir);
    try {
      await revokeFamily(other, await familyOf(tokens.access_token), portal.clock.now());
    } finally {
      await other.destroy();
    }
    await assertRefused(url, 'invalid_token');
  });

  test('a webhook is refused at once when it is revoked, though it was served from memory', async () => {
    const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['user']);
    const url = `${hook.url}/user.current`;
    await servedFromMemory(portal, url, { kind: 'webhook', memberId: hook.memberId, secret: hook.secret });
    await portal.db
      .updateTable('webhooks')
      .set({ revoked_at: portal.clock.now() })
      .where('portal_id', '=', acmePortal.id)
      .where('secret_hash', '=', hashSecret(hook.secret))
      .execute();
    await assertRefused(url, 'INVALID_CREDENTIALS');
  });

  test('a token kept in memory is refused as expired when its hour is over, however long reads are kept', async () => {
    const longKept = await startTestPortal({ limits: { readCacheTtlMs: 24 * 60 * 60_000 } });
    after(() => longKept.close());
    const tokens = await signInAs(longKept, 'acme', 'anna@example.com');
    const url = `${longKept.url('acme')}/rest/user.current?auth=${tokens.access_token}`;
    await servedFromMemory(longKept, url, { kind: 'token', token: tokens.access_token });
    longKept.clock.advance(tokens.expires_in * 1000 + 1000);
    await assertRefused(url, 'expired_token');
  });

  test('a refused credential is not kept: it is looked up again each time', async () => {
    const token = 'x'.repeat(43);
    const secretsKept = portal.app.ctx.secretHashes.size;
    assert.equal((await call(`${acme}/rest/user.current?auth=${token}`)).status, 401);
    assert.equal(portal.app.ctx.credentialReads.get(credentialKey(acmePortal, { kind: 'token', token }, hashSecret(token))), undefined);
    assert.equal(portal.app.ctx.secretHashes.size, secretsKept, "nor is the refused secret's hash");
  });
});
