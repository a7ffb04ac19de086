import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningIdp } from '@multidesk/idp';
import { SSO_DESKTOP_START_PATH, type SsoStartResult } from '@multidesk/protocol';
import type { TestPortal } from '../../portal/test/harness.ts';
import { SsoBrowser, ssoToCallback } from '../../portal/test/ssoBrowser.ts';
import { startSsoPortal } from '../../portal/test/ssoPortal.ts';
import type { Core } from '../src/core/core.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInEach, startTestCore } from './coreHarness.ts';

const PASSWORD = 'multidesk-demo';

let portal: TestPortal;
let idp: RunningIdp;
before(async () => {
  ({ portal, idp } = await startSsoPortal());
});
after(async () => {
  await idp.close();
  await portal.close();
});

/** A core whose "system browser" only records the URLs it is asked to open; the test plays the browser. */
async function ssoCore(options: { ssoTimeoutMs?: number; failOpen?: boolean } = {}) {
  const opened: string[] = [];
  const core = await startTestCore(new MemoryVault(), undefined, {
    openUrl: async (url) => {
      if (options.failOpen) throw new Error('xdg-open could not be started (ENOENT)');
      opened.push(url);
    },
    ...(options.ssoTimeoutMs ? { ssoTimeoutMs: options.ssoTimeoutMs } : {}),
  });
  await core.settings.update({ networkUrl: portal.url() });
  return { core, opened };
}

async function withCore(run: (core: Core, opened: string[]) => Promise<void>, options?: Parameters<typeof ssoCore>[0]) {
  const { core, opened } = await ssoCore(options);
  try {
    await run(core, opened);
  } finally {
    await core.close();
    core.removeProfile();
  }
}

function started(result: SsoStartResult): Extract<SsoStartResult, { ok: true }> {
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

/** The browser's visit to the loopback: status and the page's words. */
async function visit(url: string): Promise<{ status: number; text: string; csp: string | null }> {
  const response = await fetch(url);
  const html = await response.text();
  return {
    status: response.status,
    text: html.replace(/<style>.*<\/style>/s, '').replace(/<[^>]+>/g, ' '),
    csp: response.headers.get('content-security-policy'),
  };
}

const dora = { login: 'dora@example.com', password: PASSWORD };

/** The system browser from the portal's start page through the identity provider: where it is sent back to (the loopback). */
async function throughIdp(startUrl: string, fields: { login: string; password: string } | 'cancel'): Promise<string> {
  const browser = new SsoBrowser();
  const back = await browser.request(await ssoToCallback(browser, startUrl, fields));
  assert.equal(back.status, 303, back.text.slice(0, 300));
  return back.location as string;
}

describe('single sign-on in the core (system browser, loopback redirect)', () => {
  test('dora’s work e-mail finds Initech; she signs in in the browser, which then says she can close it, and the account opens', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: ' dora@example.com ' }));
      assert.deepEqual(Object.keys(start).sort(), ['expiresAt', 'flow', 'ok', 'portal'], 'no secret reaches the UI');
      assert.equal(start.portal, 'Initech');
      assert.equal(opened.length, 1);
      const url = new URL(opened[0] as string);
      assert.equal(`${url.origin}${url.pathname}`, `${portal.url('initech')}${SSO_DESKTOP_START_PATH}`);
      assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.ok((url.searchParams.get('state') ?? '').length >= 43);
      assert.equal(url.searchParams.get('device_name'), 'Multidesk test');
      assert.ok(!start.flow.includes(url.searchParams.get('state') as string));

      const back = await throughIdp(url.href, dora);
      const waiting = core.browserFlows.wait({ flow: start.flow });
      const page = await visit(back);
      assert.equal(page.status, 200);
      assert.match(page.text, /You are signed in to Initech/);
      assert.match(page.text, /You can close this window/);
      assert.doesNotMatch(page.text, new RegExp(new URL(back).searchParams.get('code') as string));
      assert.match(page.csp ?? '', /default-src 'none'/);

      const outcome = await waiting;
      assert.equal(outcome.status, 'account', JSON.stringify(outcome));
      if (outcome.status !== 'account') return;
      assert.equal(outcome.account.portalTitle, 'Initech');
      assert.equal(outcome.account.portalUrl, portal.url('initech'));
      assert.equal(outcome.account.state, 'connected');
      assert.equal(core.manager.list()[0]?.login, 'dora@example.com', 'the login is learnt from her profile');
      await assert.rejects(fetch(back), 'the listener is gone once the sign-in is over');
      assert.deepEqual(await core.browserFlows.wait({ flow: start.flow }), outcome, 'every poll gets the outcome');
    });
  });

  test('anna signs in to Initech by single sign-on: the same member as her password sign-in, so the same account', async () => {
    await withCore(async (core, opened) => {
      const { initech: passwordAccount } = await signInEach(core, portal, ['initech']);
      const before = core.manager.list()[0];
      const start = started(await core.sso.start({ address: `initech.localhost:${portal.port}` }));
      assert.equal(start.portal, `initech.localhost:${portal.port}`);
      const back = await throughIdp(opened[0] as string, { login: 'anna@example.com', password: PASSWORD });
      await visit(back);
      const outcome = await core.browserFlows.wait({ flow: start.flow });
      assert.equal(outcome.status, 'account', JSON.stringify(outcome));
      if (outcome.status !== 'account') return;
      assert.equal(outcome.account.userId, before?.userId);
      assert.equal(outcome.account.id, passwordAccount);
      assert.equal(core.manager.list().length, 1);
      assert.equal(outcome.account.portalTitle, 'Initech');
      const link = await portal.db
        .selectFrom('sso_identities')
        .selectAll()
        .where('subject', '=', 'idp-anna-0001')
        .executeTakeFirstOrThrow();
      assert.equal(link.member_id, before?.userId, 'her existing membership is linked to her identity');
    });
  });

  test('a callback with a wrong or missing state, or on another path, gets a page and changes nothing; the real one still works', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: 'dora@example.com' }));
      const redirectUri = new URL(opened[0] as string).searchParams.get('redirect_uri') as string;
      for (const query of ['?code=forged&state=wrong', '?code=forged', '?error=access_denied&state=', `?code=x&state=${'a'.repeat(43)}`]) {
        const page = await visit(`${redirectUri}${query}`);
        assert.equal(page.status, 400, query);
        assert.match(page.text, /does not belong to the sign-in Multidesk is waiting for/);
      }
      assert.equal((await visit(redirectUri.replace('/callback', '/other'))).status, 404);
      assert.equal((await visit(redirectUri.replace('/callback', '/favicon.ico'))).status, 404);
      const misdirected = await fetch(redirectUri.replace('127.0.0.1', 'localhost'));
      assert.equal(misdirected.status, 421, 'another host name for the loopback is refused');
      await misdirected.arrayBuffer();
      const pending = await Promise.race([
        core.browserFlows.wait({ flow: start.flow }),
        new Promise((r) => setTimeout(() => r('still waiting'), 300)),
      ]);
      assert.equal(pending, 'still waiting');
      assert.deepEqual(core.manager.list(), []);

      const back = await throughIdp(opened[0] as string, dora);
      await visit(back);
      const outcome = await core.browserFlows.wait({ flow: start.flow });
      assert.equal(outcome.status, 'account', JSON.stringify(outcome));
    });
  });

  test('Cancel closes the listener: the browser’s later redirect finds no one at that port, and nothing is stored', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: 'dora@example.com' }));
      const waiting = core.browserFlows.wait({ flow: start.flow });
      assert.deepEqual(core.browserFlows.cancel({ flow: start.flow }), { ok: true });
      const outcome = await waiting;
      assert.equal(outcome.status, 'failed');
      if (outcome.status === 'failed') assert.equal(outcome.error, 'cancelled');
      const back = await throughIdp(opened[0] as string, dora);
      await assert.rejects(fetch(back), (error: Error & { cause?: { code?: string } }) => {
        assert.equal(error.cause?.code, 'ECONNREFUSED');
        return true;
      });
      assert.deepEqual(core.manager.list(), []);
      assert.deepEqual(await core.browserFlows.reopen({ flow: start.flow }), {
        ok: false,
        error: 'cancelled',
        message: 'This sign-in has ended. Start again.',
      });
    });
  });

  test('Cancel at the identity provider is shown as such, in the browser and in the tab; nothing is stored', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: 'dora@example.com' }));
      const back = await throughIdp(opened[0] as string, 'cancel');
      const page = await visit(back);
      assert.equal(page.status, 400);
      assert.match(page.text, /Sign-in failed/);
      assert.match(page.text, /cancelled or refused/);
      const outcome = await core.browserFlows.wait({ flow: start.flow });
      assert.equal(outcome.status, 'failed');
      if (outcome.status !== 'failed') return;
      assert.equal(outcome.error, 'access_denied');
      assert.equal(outcome.message, 'The sign-in to Initech was cancelled or refused at the identity provider.');
      assert.match(outcome.detail ?? '', /access_denied/, 'the provider’s reason, as the portal reported it');
      assert.deepEqual(core.manager.list(), []);
    });
  });

  test('an SSO user without access to the portal: "no access", in words, and nothing stored', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: 'eve@example.com' }));
      const back = await throughIdp(opened[0] as string, { login: 'eve@example.com', password: PASSWORD });
      const page = await visit(back);
      assert.match(page.text, /No access to Initech/);
      const outcome = await core.browserFlows.wait({ flow: start.flow });
      assert.equal(outcome.status, 'failed');
      if (outcome.status !== 'failed') return;
      assert.equal(outcome.error, 'not_a_member');
      assert.match(outcome.message, /^No access to Initech\. eve@example\.com is not a member of Initech\. Ask an administrator/);
      assert.deepEqual(core.manager.list(), []);
      const eve = await portal.db.selectFrom('sso_identities').selectAll().where('subject', '=', 'idp-eve').executeTakeFirst();
      assert.equal(eve, undefined);
    });
  });

  test('the wait ends after the timeout with a clear message, and the listener is closed', async () => {
    await withCore(
      async (core, opened) => {
        const start = started(await core.sso.start({ address: 'dora@example.com' }));
        const outcome = await core.browserFlows.wait({ flow: start.flow });
        assert.equal(outcome.status, 'failed');
        if (outcome.status !== 'failed') return;
        assert.equal(outcome.error, 'timeout');
        assert.match(outcome.message, /Nothing came back from the browser in 1 minute/);
        const redirectUri = new URL(opened[0] as string).searchParams.get('redirect_uri') as string;
        await assert.rejects(fetch(redirectUri));
        assert.deepEqual(core.manager.list(), []);
      },
      { ssoTimeoutMs: 300 },
    );
  });

  test('a Bitrix24 without single sign-on says so; the start page is opened again on request', async () => {
    await withCore(async (core, opened) => {
      const start = started(await core.sso.start({ address: `acme.localhost:${portal.port}` }));
      assert.deepEqual(await core.browserFlows.reopen({ flow: start.flow }), { ok: true });
      assert.equal(opened.length, 2);
      assert.equal(opened[1], opened[0], 'the same sign-in opens again');
      const answer = await new SsoBrowser().request(opened[0] as string);
      assert.equal(answer.status, 303);
      const page = await visit(answer.location as string);
      assert.match(page.text, /Single sign-on is not set up for acme\.localhost/);
      const outcome = await core.browserFlows.wait({ flow: start.flow });
      assert.equal(outcome.status, 'failed');
      if (outcome.status === 'failed') assert.equal(outcome.error, 'sso_not_configured');
    });
  });

  test('bad addresses, unknown domains and a browser that cannot start are refused before anything listens', async () => {
    await withCore(async (core, opened) => {
      const failed = async (address: string) => {
        const result = await core.sso.start({ address });
        assert.equal(result.ok, false, address);
        return result as Extract<SsoStartResult, { ok: false }>;
      };
      assert.equal((await failed('not an address')).error, 'invalid_address');
      assert.equal((await failed('dora@')).error, 'invalid_address');
      const unknown = await failed('someone@example.org');
      assert.equal(unknown.error, 'no_sso_for_domain');
      assert.match(unknown.message, /No Bitrix24 uses single sign-on for example\.org addresses/);
      assert.deepEqual(opened, []);
    });
    await withCore(
      async (core) => {
        const result = await core.sso.start({ address: 'dora@example.com' });
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.equal(result.error, 'browser_failed');
          assert.match(result.message, /could not open a browser: xdg-open could not be started \(ENOENT\)/);
        }
      },
      { failOpen: true },
    );
  });
});
