import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { B24OAuthParams, TypeB24 } from '@bitrix24/b24jssdk';
import { startTestPortal, type TestPortal } from './harness.ts';
import { hookClient, oauthClient } from './sdkClient.ts';
import { addColleagues, call, signInAs, webhookFor } from './tokens.ts';

const EXTRA_MEMBERS = 60;
const ACME_MEMBERS = 4 + EXTRA_MEMBERS;

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
  await addColleagues(portal, 'acme', EXTRA_MEMBERS, 'sdk');
});
after(() => portal.close());

/** What both kinds of client must manage: one call, a list over two pages, a batch with a reference. */
function commonCases(client: () => Promise<{ b24: TypeB24; email: string }>) {
  test('user.current answers the caller', async () => {
    const { b24, email } = await client();
    const response = await b24.actions.v2.call.make({ method: 'user.current', params: {} });
    assert.ok(response.isSuccess, response.getErrorMessages().join('; '));
    const data = response.getData()!;
    assert.equal((data.result as { EMAIL: string }).EMAIL, email);
    assert.equal(typeof data.time.start, 'number');
  });

  test('callListMethod pages user.get past 50 with start and next', async () => {
    const { b24 } = await client();
    const list = await b24.callListMethod('user.get', {});
    assert.ok(list.isSuccess, list.getErrorMessages().join('; '));
    const users = list.getData() as { ID: string }[];
    assert.equal(users.length, ACME_MEMBERS);
    assert.equal(new Set(users.map((u) => u.ID)).size, ACME_MEMBERS);
  });

  test('callList pages user.get past 50 by an >ID cursor without counting', async () => {
    const { b24 } = await client();
    const list = await b24.actions.v2.callList.make({ method: 'user.get', params: {}, idKey: 'ID' });
    assert.ok(list.isSuccess, list.getErrorMessages().join('; '));
    assert.equal((list.getData() as unknown[]).length, ACME_MEMBERS);
  });

  test('a batch resolves a $result reference', async () => {
    const { b24, email } = await client();
    const batch = await b24.callBatch(
      {
        me: { method: 'user.current' },
        again: { method: 'user.get', params: { filter: { ID: '$result[me][ID]' } } },
        time: { method: 'server.time' },
      },
      true,
    );
    assert.ok(batch.isSuccess, batch.getErrorMessages().join('; '));
    const data = batch.getData() as { me: { ID: string }; again: { ID: string; EMAIL: string }[]; time: string };
    assert.equal(data.again[0]?.EMAIL, email);
    assert.equal(data.again[0]?.ID, data.me.ID);
    assert.match(data.time, /^\d{4}-\d{2}-\d{2}T/);
  });

  test('a method error comes back as the SDK error with the Bitrix24 code', async () => {
    const { b24 } = await client();
    await assert.rejects(
      b24.actions.v2.call.make({ method: 'no.such.method', params: {} }),
      (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'ERROR_METHOD_NOT_FOUND');
        assert.equal(error.status, 404);
        return true;
      },
    );
  });
}

describe('the official SDK through a webhook (B24Hook)', () => {
  commonCases(async () => {
    const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['user']);
    const b24 = hookClient(hook.url);
    return { b24, email: 'ben@example.com' };
  });
});

describe('the official SDK with OAuth tokens (B24OAuth)', () => {
  commonCases(async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    return { b24, email: 'anna@example.com' };
  });

  test('profile tells the SDK the caller is an administrator', async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    await b24.initIsAdmin();
    assert.equal(b24.auth.isAdmin, true);
  });

  test('when the access token expires the SDK refreshes it at the portal /oauth/token/ and retries', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const b24 = oauthClient(tokens);
    const refreshed: B24OAuthParams[] = [];
    b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => {
      refreshed.push({ ...b24OAuthParams });
    });
    assert.ok((await b24.actions.v2.call.make({ method: 'server.time', params: {} })).isSuccess);
    assert.equal(refreshed.length, 0);

    portal.clock.advance(3600_000 + 1000);
    const expired = await call(`${portal.url('acme')}/rest/user.current?auth=${tokens.access_token}`);
    assert.equal(expired.body.error, 'expired_token');

    const response = await b24.actions.v2.call.make({ method: 'user.current', params: {} });
    assert.ok(response.isSuccess, response.getErrorMessages().join('; '));
    assert.equal((response.getData()!.result as { EMAIL: string }).EMAIL, 'anna@example.com');
    assert.equal(refreshed.length, 1);
    const [fresh] = refreshed as [B24OAuthParams];
    assert.notEqual(fresh.accessToken, tokens.access_token);
    assert.notEqual(fresh.refreshToken, tokens.refresh_token);
    assert.equal(fresh.serverEndpoint, `${portal.url('acme')}/rest/`);
    const direct = await call(`${portal.url('acme')}/rest/user.current?auth=${fresh.accessToken}`);
    assert.equal(direct.status, 200);
  });
});
