import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SSO_DISCOVER_PATH } from '@multidesk/protocol';
import { setSsoChecked } from '../src/admin/sso.ts';
import { startTestPortal, type TestPortal } from './harness.ts';
import { postJson } from './signIn.ts';

describe('single sign-on discovery at the network (a work e-mail finds its Bitrix24)', () => {
  let portal: TestPortal;
  const sso = (name: string, domain?: string) =>
    setSsoChecked(
      portal.db,
      { portal: name, issuer: 'http://localhost:1', clientId: 'client', clientSecret: 'secret', ...(domain ? { domain } : {}) },
      portal.clock.now(),
    );
  const discover = (email: unknown, host = portal.url()) => postJson(`${host}${SSO_DISCOVER_PATH}`, { email });

  before(async () => {
    portal = await startTestPortal();
    await sso('initech', 'example.com');
    await sso('globex', 'globex.example');
    // Single sign-on without a domain is found by its address only.
    await sso('acme');
  });
  after(() => portal.close());

  test('an address of the domain finds the portal by its title and address, whoever the address belongs to', async () => {
    for (const email of ['dora@example.com', '  Nobody.Known@EXAMPLE.com ']) {
      const answer = await discover(email);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { portals: [{ title: 'Initech', url: portal.url('initech') }] });
    }
    assert.deepEqual((await discover('ben@globex.example')).body.portals, [{ title: 'Globex', url: portal.url('globex') }]);
  });

  test('several portals on one domain are all listed; another domain or a subdomain finds none', async () => {
    await sso('acme', 'example.com');
    try {
      assert.deepEqual(
        (await discover('anna@example.com')).body.portals.map((p: { title: string }) => p.title),
        ['Acme Corp', 'Initech'],
      );
    } finally {
      await sso('acme');
    }
    assert.deepEqual((await discover('anna@example.org')).body, { portals: [] });
    assert.deepEqual((await discover('anna@mail.example.com')).body, { portals: [] });
  });

  test('what is not an e-mail is refused with a clear error; so is a portal host', async () => {
    for (const email of ['dora', 'dora@', '@example.com', 'dora@example', 'a b@example.com', 'x'.repeat(300), 42]) {
      const answer = await discover(email);
      assert.equal(answer.status, 400, String(email));
      assert.equal(answer.body.error, 'invalid_request');
      assert.ok(answer.body.error_description, 'it says what is wrong');
    }
    const onPortal = await discover('dora@example.com', portal.url('initech'));
    assert.equal(onPortal.status, 404);
  });

  test('look-ups are limited per IP: the 21st in a minute is 429 with retry_after, and a minute later it works again', async () => {
    const limited = await startTestPortal();
    try {
      for (let i = 0; i < 20; i++) assert.equal((await discover(`u${i}@example.com`, limited.url())).status, 200);
      const refused = await discover('u@example.com', limited.url());
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, 'too_many_attempts');
      assert.ok(refused.body.retry_after >= 1 && refused.body.retry_after <= 60);
      limited.clock.advance(61_000);
      assert.equal((await discover('u@example.com', limited.url())).status, 200);
    } finally {
      await limited.close();
    }
  });
});
