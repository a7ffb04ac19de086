import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { decide, signedInBrowser } from '../../portal/test/qrClient.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { startTestCore } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const idOf = (approveUrl: string) => approveUrl.split('/qr/')[1] as string;

describe('QR-code sign-in in the core', () => {
  test('a QR approved on the network leads to the list of the approver’s Bitrix24s, and Open signs in', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      await core.settings.update({ networkUrl: portal.url() });
      const qr = await core.flows.qrStart({});
      assert.ok(qr.ok, JSON.stringify(qr));
      assert.match(qr.qrImage, /^data:image\/png;base64,/);
      assert.ok(qr.approveUrl.startsWith(`${portal.url()}/qr/`));
      const phone = await signedInBrowser(portal, undefined, 'anna@example.com');
      const waiting = core.flows.qrWait({ flow: qr.flow });
      assert.equal((await decide(phone, idOf(qr.approveUrl), 'approve')).status, 200);
      const outcome = await waiting;
      assert.equal(outcome.status, 'list');
      if (outcome.status !== 'list') return;
      assert.deepEqual(
        outcome.list.portals.map((p) => p.title),
        ['Acme Corp', 'Globex', 'Initech'],
      );
      const opened = await core.flows.open({ flow: outcome.list.flow, portalUrl: portal.url('globex') });
      assert.ok(opened.ok);
      assert.equal(opened.account.portalTitle, 'Globex');
      await core.home.get(opened.account.id);
      assert.equal(core.manager.list()[0]?.login, 'anna@example.com', 'the login is learnt from the profile');
      assert.equal((await core.flows.qrWait({ flow: qr.flow })).status, 'expired', 'a used flow is gone');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a QR started from a portal address leads straight into that portal', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const qr = await core.flows.qrStart({ address: `initech.localhost:${portal.port}` });
      assert.ok(qr.ok);
      const phone = await signedInBrowser(portal, 'initech', 'anna@example.com');
      await decide(phone, idOf(qr.approveUrl), 'approve');
      const outcome = await core.flows.qrWait({ flow: qr.flow });
      assert.equal(outcome.status, 'account');
      if (outcome.status === 'account') assert.equal(outcome.account.portalTitle, 'Initech');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('denied and expired are reported, and nothing is signed in', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      await core.settings.update({ networkUrl: portal.url() });
      const denied = await core.flows.qrStart({});
      assert.ok(denied.ok);
      const phone = await signedInBrowser(portal, undefined, 'ben@example.com');
      await decide(phone, idOf(denied.approveUrl), 'deny');
      assert.equal((await core.flows.qrWait({ flow: denied.flow })).status, 'denied');
      const expiring = await core.flows.qrStart({});
      assert.ok(expiring.ok);
      portal.clock.advance(61_000);
      assert.equal((await core.flows.qrWait({ flow: expiring.flow })).status, 'expired');
      assert.deepEqual(core.manager.list(), []);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
