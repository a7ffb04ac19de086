import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashSecret } from '../src/auth/secrets.ts';
import { call, postJson, restPortal, signInAs, webhookFor } from './tokens.ts';

const { portal, acme } = await restPortal();

describe('REST routes', () => {
  test('an access token in the query calls a method as its member', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const reply = await call(`${acme}/rest/user.current?auth=${tokens.access_token}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.result.ID, String(tokens.user_id));
    assert.equal(reply.body.result.EMAIL, 'anna@example.com');
  });

  test('the token may come in a JSON body, a form body or an Authorization header, by GET or POST', async () => {
    const { access_token: token } = await signInAs(portal, 'acme', 'ben@example.com');
    const replies = [
      await postJson(`${acme}/rest/user.current`, { auth: token }),
      await call(`${acme}/rest/user.current`, { method: 'POST', body: new URLSearchParams({ auth: token }) }),
      await call(`${acme}/rest/user.current`, { headers: { authorization: `Bearer ${token}` } }),
      await call(`${acme}/rest/user.current`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }),
    ];
    for (const reply of replies) {
      assert.equal(reply.status, 200);
      assert.equal(reply.body.result.EMAIL, 'ben@example.com');
    }
  });

  test('the method name is read in any case, with a .json suffix, a trailing slash or a doubled slash', async () => {
    const { access_token: token } = await signInAs(portal, 'acme', 'anna@example.com');
    for (const path of [
      '/rest/USER.Current',
      '/rest/user.current.json',
      '/rest/user.current/',
      '/rest//user.current',
      '/REST/user.current',
    ]) {
      const reply = await call(`${acme}${path}?auth=${token}`);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.body.result.EMAIL, 'anna@example.com', path);
    }
  });

  test('an unknown method is 404 ERROR_METHOD_NOT_FOUND, and so is an address of another shape', async () => {
    const { access_token: token } = await signInAs(portal, 'acme', 'anna@example.com');
    const unknown = await call(`${acme}/rest/crm.deal.list?auth=${token}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'ERROR_METHOD_NOT_FOUND');
    const shape = await call(`${acme}/rest/one/two?auth=${token}`);
    assert.equal(shape.status, 404);
    assert.equal(shape.body.error, 'ERROR_METHOD_NOT_FOUND');
  });

  test('SQL metacharacters in the method name are only an unknown method', async () => {
    const { access_token: token } = await signInAs(portal, 'acme', 'anna@example.com');
    const reply = await call(`${acme}/rest/${encodeURIComponent("user.get'; DROP TABLE users; --")}?auth=${token}`);
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error, 'ERROR_METHOD_NOT_FOUND');
    assert.equal((await call(`${acme}/rest/user.current?auth=${token}`)).status, 200);
  });

  test('REST is served by portals only: the network host answers 404', async () => {
    const { access_token: token } = await signInAs(portal, 'acme', 'anna@example.com');
    const reply = await call(`${portal.url()}/rest/user.current?auth=${token}`);
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error, 'NOT_FOUND');
  });
});

describe('REST token authentication', () => {
  test('a request without credentials is 401 NO_AUTH_FOUND', async () => {
    const reply = await call(`${acme}/rest/user.current`);
    assert.equal(reply.status, 401);
    assert.deepEqual(Object.keys(reply.body).sort(), ['error', 'error_description']);
    assert.equal(reply.body.error, 'NO_AUTH_FOUND');
  });

  test('an unknown token, a refresh token or SQL in its place is 401 invalid_token', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    for (const auth of ['not-a-token', tokens.refresh_token, "' OR 1=1 --"]) {
      const reply = await call(`${acme}/rest/user.current?auth=${encodeURIComponent(auth)}`);
      assert.equal(reply.status, 401, auth);
      assert.equal(reply.body.error, 'invalid_token', auth);
    }
    const bearer = await call(`${acme}/rest/user.current`, { headers: { authorization: 'Bearer nonsense' } });
    assert.equal(bearer.body.error, 'invalid_token');
  });

  test('a token of acme is 401 on globex, even for a member of both', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    const reply = await call(`${portal.url('globex')}/rest/user.current?auth=${tokens.access_token}`);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error, 'invalid_token');
  });

  test('a revoked token is 401 invalid_token at once', async () => {
    const tokens = await signInAs(portal, 'acme', 'ben@example.com');
    const revoked = await call(`${acme}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refresh_token }) });
    assert.equal(revoked.status, 200);
    const reply = await call(`${acme}/rest/user.current?auth=${tokens.access_token}`);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error, 'invalid_token');
  });

  test('a token is limited to the scopes of its sign-in', async () => {
    const tokens = await signInAs(portal, 'acme', 'ben@example.com');
    const row = await portal.db
      .selectFrom('oauth_tokens')
      .select('family_id')
      .where('token_hash', '=', hashSecret(tokens.access_token))
      .executeTakeFirstOrThrow();
    await portal.db.updateTable('token_families').set({ scope: 'profile' }).where('id', '=', row.family_id).execute();
    assert.equal((await call(`${acme}/rest/profile?auth=${tokens.access_token}`)).status, 200);
    const reply = await call(`${acme}/rest/user.get?auth=${tokens.access_token}`);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error, 'insufficient_scope');
  });

  test('a token of a member who was deactivated is refused', async () => {
    const tokens = await signInAs(portal, 'globex', 'marcus@example.com');
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', tokens.user_id).execute();
    try {
      const reply = await call(`${portal.url('globex')}/rest/user.current?auth=${tokens.access_token}`);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'invalid_token');
    } finally {
      await portal.db.updateTable('members').set({ active: 1 }).where('id', '=', tokens.user_id).execute();
    }
  });

  // Moves the clock: every token issued before it expires, so the tests after it sign in afresh.
  test('an access token is 401 expired_token after an hour', async () => {
    const tokens = await signInAs(portal, 'acme', 'anna@example.com');
    assert.equal((await call(`${acme}/rest/server.time?auth=${tokens.access_token}`)).status, 200);
    portal.clock.advance(3600_000 + 1000);
    const reply = await call(`${acme}/rest/server.time?auth=${tokens.access_token}`);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error, 'expired_token');
  });
});

describe('REST inbound webhooks', () => {
  test('a webhook calls methods as its member without a token', async () => {
    const hook = await webhookFor(portal, 'acme', 'ben@example.com', ['user']);
    for (const path of ['/user.current', '/user.current.json', '/User.Current/']) {
      const reply = await call(`${hook.url}${path}`);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.body.result.ID, String(hook.memberId));
      assert.equal(reply.body.result.EMAIL, 'ben@example.com');
    }
    const posted = await postJson(`${hook.url}/user.get`, { filter: { ID: hook.memberId } });
    assert.equal(posted.body.result[0].EMAIL, 'ben@example.com');
  });

  test('a method outside the webhook scopes is 403 insufficient_scope', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['profile']);
    assert.equal((await call(`${hook.url}/profile`)).status, 200);
    const reply = await call(`${hook.url}/user.get`);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error, 'insufficient_scope');
  });

  test('a wrong secret, or the secret under another user ID, is 401', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user']);
    const other = await webhookFor(portal, 'acme', 'ben@example.com', ['user']);
    const wrongSecret = await call(`${acme}/rest/${hook.memberId}/${'x'.repeat(24)}/user.current`);
    const swapped = await call(`${acme}/rest/${other.memberId}/${hook.secret}/user.current`);
    for (const reply of [wrongSecret, swapped]) {
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'INVALID_CREDENTIALS');
    }
  });

  test('a webhook of acme is 401 on globex, even for a member of both', async () => {
    const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user']);
    const reply = await call(`${portal.url('globex')}/rest/${hook.memberId}/${hook.secret}/user.current`);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error, 'INVALID_CREDENTIALS');
  });

  test('a webhook of a deactivated member is refused', async () => {
    const hook = await webhookFor(portal, 'acme', 'olivia@example.com', ['user']);
    await portal.db.updateTable('members').set({ active: 0 }).where('id', '=', hook.memberId).execute();
    try {
      const reply = await call(`${hook.url}/user.current`);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'INVALID_CREDENTIALS');
    } finally {
      await portal.db.updateTable('members').set({ active: 1 }).where('id', '=', hook.memberId).execute();
    }
  });
});
