import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { startTestCore } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

describe('sign in using login and password (network)', () => {
  test("anna's login lists her three Bitrix24s, Open signs in to one, and the list then marks it connected", async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const list = await core.flows.networkSignIn({
        networkUrl: `localhost:${portal.port}`,
        login: 'anna@example.com',
        password: 'multidesk-demo',
      });
      assert.ok(list.ok, JSON.stringify(list));
      assert.deepEqual(
        list.portals.map((p) => [p.title, p.url, p.userName, p.connected]),
        [
          ['Acme Corp', portal.url('acme'), 'Anna Smirnova', false],
          ['Globex', portal.url('globex'), 'Anna Smirnova', false],
          ['Initech', portal.url('initech'), 'Anna Smirnova', false],
        ],
      );
      const opened = await core.flows.open({ flow: list.flow, portalUrl: portal.url('initech') });
      assert.ok(opened.ok, JSON.stringify(opened));
      assert.equal(opened.account.portalTitle, 'Initech');
      assert.equal(opened.account.login, 'anna@example.com');
      const again = await core.flows.open({ flow: list.flow, portalUrl: portal.url('acme') });
      assert.ok(again.ok, 'going back to the list and opening another works too');
      const relisted = await core.flows.networkSignIn({
        networkUrl: `localhost:${portal.port}`,
        login: 'anna@example.com',
        password: 'multidesk-demo',
      });
      assert.ok(relisted.ok);
      assert.deepEqual(
        relisted.portals.map((p) => p.connected),
        [true, false, true],
      );
      assert.equal(core.settings.get().networkUrl, portal.url(), 'the network address is remembered');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('Change user ends the flow: its list can no longer open anything, and connected accounts stay', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await core.flows.networkSignIn({ networkUrl: portal.url(), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(anna.ok);
      const opened = await core.flows.open({ flow: anna.flow, portalUrl: portal.url('globex') });
      assert.ok(opened.ok);
      await core.flows.end({ flow: anna.flow });
      const stale = await core.flows.open({ flow: anna.flow, portalUrl: portal.url('acme') });
      assert.deepEqual(stale.ok ? 'ok' : stale.error, 'invalid_session');
      assert.equal(core.manager.list()[0]?.state, 'connected');
      const ben = await core.flows.networkSignIn({ networkUrl: portal.url(), login: 'ben@example.com', password: 'multidesk-demo' });
      assert.ok(ben.ok);
      assert.deepEqual(
        ben.portals.map((p) => p.title),
        ['Acme Corp', 'Globex'],
      );
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('bad input gets a clear error and changes nothing', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const attempt = (networkUrl: string, password = 'multidesk-demo') =>
        core.flows.networkSignIn({ networkUrl, login: 'anna@example.com', password });
      const errors = [await attempt('not a url'), await attempt(portal.url(), 'wrong-password'), await attempt('127.0.0.1:9')].map((r) =>
        r.ok ? 'ok' : r.error,
      );
      assert.deepEqual(errors, ['invalid_address', 'invalid_credentials', 'unreachable']);
      const list = await attempt(portal.url());
      assert.ok(list.ok);
      const foreign = await core.flows.open({ flow: list.flow, portalUrl: 'http://evil.localhost:1' });
      assert.equal(foreign.ok ? 'ok' : foreign.error, 'not_a_member');
      const unknown = await core.flows.open({ flow: 'no-such-flow', portalUrl: portal.url('acme') });
      assert.equal(unknown.ok ? 'ok' : unknown.error, 'invalid_session');
      assert.deepEqual(core.manager.list(), []);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
