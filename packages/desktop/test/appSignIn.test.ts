import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { SsoWaitResult } from '@multidesk/protocol';
import { createTestApp } from '../../portal/test/appClient.ts';

import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs } from '../../portal/test/tokens.ts';
import { Browser } from '../../portal/test/webPagesClient.ts';
import { freeLoopbackPort as freePort } from '../src/core/accounts/appSignIn.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { startTestCore } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

/**
 * The system browser, played by a cookie-keeping HTTP client: it opens the authorization, signs in
 * on the portal's page as `who` (or stops at `stopAt`), and follows the redirect to the loopback.
 */
function browserSigningIn(who: string, options: { tamper?: (callback: URL) => URL } = {}) {
  const visits: string[] = [];
  return {
    visits,
    openUrl: async (url: string) => {
      visits.push(url);
      const start = new URL(url);
      const browser = new Browser(start.origin);
      void (async () => {
        const first = await browser.get(`${start.pathname}${start.search}`);
        const login = new URL(first.location ?? '', start.origin);
        const signedIn = await browser.post('/login', {
          login: who,
          password: 'multidesk-demo',
          next: login.searchParams.get('next') ?? '',
        });
        // The sign-in page moves on to the authorization with a Refresh header, as a browser follows it.
        const onward = /^0;url=(.+)$/.exec(signedIn.headers.get('refresh') ?? '')?.[1] ?? '';
        const back = await browser.get(onward);
        const callback = new URL(back.location ?? '');
        await fetch(options.tamper ? options.tamper(callback) : callback);
      })();
    },
  };
}

async function outcomeOf(core: Awaited<ReturnType<typeof startTestCore>>, flow: string): Promise<SsoWaitResult> {
  for (;;) {
    const answer = await core.browserFlows.wait({ flow });
    if (answer.status !== 'pending') return answer;
  }
}

describe('Connect with a Bitrix24 app (core)', () => {
  test('the app’s authorization in the browser ends in an account; tokens refresh at the token server with the app’s keys', async () => {
    const port = await freePort();
    const browser = browserSigningIn('anna@example.com');
    const vault = new MemoryVault();
    const core = await startTestCore(vault, undefined, { openUrl: browser.openUrl, appRedirectPort: port });
    try {
      const handler = await core.apps.handlerUrl();
      assert.equal(handler, `http://127.0.0.1:${port}/callback`);
      const app = await createTestApp(portal, 'globex', handler);
      const start = await core.apps.start({
        address: `globex.localhost:${portal.port}`,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
      });
      assert.ok(start.ok, JSON.stringify(start));
      const authorize = new URL(browser.visits[0] as string);
      assert.equal(authorize.pathname, '/oauth/authorize/');
      assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'state'], 'only what Bitrix24 documents');
      assert.equal(authorize.href.includes(app.clientSecret), false, 'the secret never goes to the browser');

      const outcome = await outcomeOf(core, start.flow);
      assert.equal(outcome.status, 'account', JSON.stringify(outcome));
      if (outcome.status !== 'account') return;
      assert.equal(outcome.account.kind, 'app');
      assert.equal(outcome.account.userName, 'Anna Smirnova');
      assert.equal(outcome.account.portalTitle, `globex.localhost:${portal.port}`);
      assert.equal(readFileSync(core.profile.accountsFile, 'utf8').includes(app.clientSecret), false);
      const saved = JSON.parse((await vault.get(outcome.account.id)) as string);
      assert.equal(saved.kind, 'app');
      assert.equal(saved.tokenUrl, `http://localhost:${portal.port}/oauth/token/`, 'the token server the answer named');

      // An app token may not use Push & Pull (WRONG_AUTH_TYPE): the account polls im.v2.Event.
      const deadline = Date.now() + 15_000;
      while (core.manager.list()[0]?.connection !== 'polling' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(core.manager.list()[0]?.connection, 'polling');

      // An hour later the access token has expired: the next call refreshes with the app's keys.
      const before = portal.requests.length;
      saved.expiresAt = Date.now() - 1000;
      await vault.set(outcome.account.id, JSON.stringify(saved));
      await core.manager.disconnect(outcome.account.id);
      await core.manager.connect(outcome.account.id);
      const home = await core.home.get(outcome.account.id);
      assert.equal(home.profile?.name, 'Anna');
      const refreshed = portal.requests.slice(before).filter((r) => r.path === '/oauth/token/' && r.host === `localhost:${portal.port}`);
      assert.equal(refreshed.length, 1, 'one refresh at the token server');
      const rotated = JSON.parse((await vault.get(outcome.account.id)) as string);
      assert.notEqual(rotated.refreshToken, saved.refreshToken);
      assert.equal(rotated.clientSecret, app.clientSecret, 'the keys stay with the rotated pair');

      const changed = new Promise<string | undefined>((resolve) => core.chats.once('changed', (_id, dialogId) => resolve(dialogId)));
      await restAs(portal, 'globex', 'ben@example.com', 'im.message.add', { DIALOG_ID: outcome.account.userId, MESSAGE: 'To the app' });
      assert.ok(await changed, 'the poll brought the message');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a wrong secret, a bad client id, an answer from another portal: clear errors, nothing stored', async () => {
    const port = await freePort();
    let tamper: ((callback: URL) => URL) | undefined;
    const written: string[] = [];
    const vault = new (class extends MemoryVault {
      override async set(key: string, value: string): Promise<void> {
        written.push(key);
        await super.set(key, value);
      }
    })();
    const opened = { openUrl: async (url: string) => browserSigningIn('anna@example.com', tamper ? { tamper } : {}).openUrl(url) };
    const core = await startTestCore(vault, undefined, { ...opened, appRedirectPort: port });
    try {
      const app = await createTestApp(portal, 'acme', await core.apps.handlerUrl());
      const address = `acme.localhost:${portal.port}`;

      const badId = await core.apps.start({ address, clientId: 'not an id', clientSecret: 'x' });
      assert.deepEqual(badId.ok ? null : badId.error, 'invalid_app');
      const badAddress = await core.apps.start({ address: 'not an address', clientId: app.clientId, clientSecret: 'x' });
      assert.deepEqual(badAddress.ok ? null : badAddress.error, 'invalid_address');

      const wrongSecret = await core.apps.start({ address, clientId: app.clientId, clientSecret: 'wrong-secret' });
      assert.ok(wrongSecret.ok);
      const refused = await outcomeOf(core, wrongSecret.flow);
      assert.equal(refused.status, 'failed');
      if (refused.status === 'failed') {
        assert.equal(refused.error, 'invalid_app');
        assert.match(refused.message, /client secret/);
      }

      tamper = (callback) => {
        callback.searchParams.set('domain', 'evil.example.com');
        return callback;
      };
      const mixedUp = await core.apps.start({ address, clientId: app.clientId, clientSecret: app.clientSecret });
      assert.ok(mixedUp.ok);
      const other = await outcomeOf(core, mixedUp.flow);
      assert.equal(other.status, 'failed');
      if (other.status === 'failed') assert.match(other.message, /evil\.example\.com, not from/);

      assert.deepEqual(core.manager.list(), []);
      assert.deepEqual(written, []);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
