import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ApiVersion, B24Hook, B24OAuth, type B24OAuthParams, type LoggerInterface, type TypeB24 } from '@bitrix24/b24jssdk';
import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import { startTestPortal, type TestPortal } from './harness.ts';
import { localhostLookup } from './localhostDispatcher.ts';
import { addColleagues, call, signInAs, webhookFor } from './tokens.ts';

/**
 * The official @bitrix24/b24jssdk against the portal, unchanged. It talks through axios, i.e.
 * node:http, so *.localhost must resolve there too (the harness does it for fetch only).
 */
http.globalAgent = new http.Agent({ lookup: localhostLookup as never });

/** The SDK prints deprecation warnings through its default logger; this one keeps them. */
function quietLogger(): LoggerInterface & { warnings: string[] } {
  const warnings: string[] = [];
  const none = async () => {};
  return {
    warnings,
    log: none,
    debug: none,
    info: none,
    notice: none,
    warning: async (message: string) => {
      warnings.push(message);
    },
    error: none,
    critical: none,
    alert: none,
    emergency: none,
  };
}

/** Webhook addresses must be https for the SDK; locally the portal speaks http. */
function overHttp(b24: TypeB24): void {
  b24.getHttpClient(ApiVersion.v2).ajaxClient.interceptors.request.use((config) => {
    if (config.url) config.url = config.url.replace(/^https:\/\//, 'http://');
    return config;
  });
}

function oauthClient(tokens: TokenResponse): B24OAuth {
  const params: B24OAuthParams = {
    applicationToken: '',
    userId: tokens.user_id,
    memberId: tokens.member_id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expires: tokens.expires,
    expiresIn: tokens.expires_in,
    scope: tokens.scope,
    domain: tokens.domain,
    clientEndpoint: tokens.client_endpoint,
    serverEndpoint: tokens.server_endpoint,
    status: tokens.status as B24OAuthParams['status'],
  };
  return new B24OAuth(params, { clientId: DESKTOP_CLIENT_ID, clientSecret: '' });
}

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
    const b24 = B24Hook.fromWebhookUrl(hook.url.replace(/^http:/, 'https:'));
    b24.setLogger(quietLogger());
    overHttp(b24);
    return { b24, email: 'ben@example.com' };
  });
});

describe('the official SDK with OAuth tokens (B24OAuth)', () => {
  commonCases(async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    b24.setLogger(quietLogger());
    return { b24, email: 'anna@example.com' };
  });

  test('profile tells the SDK the caller is an administrator', async () => {
    const b24 = oauthClient(await signInAs(portal, 'acme', 'anna@example.com'));
    b24.setLogger(quietLogger());
    await b24.initIsAdmin();
    assert.equal(b24.auth.isAdmin, true);
  });

  test('when the access token expires the SDK refreshes it at the portal /oauth/token/ and retries', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const b24 = oauthClient(tokens);
    b24.setLogger(quietLogger());
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
