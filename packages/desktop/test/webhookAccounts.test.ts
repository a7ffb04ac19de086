import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs, webhookFor } from '../../portal/test/tokens.ts';
import { parseWebhookUrl } from '../src/core/portal/webhookUrl.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

describe('the webhook URL', () => {
  test('is read as Bitrix24 shows it, with or without the example method after it', () => {
    assert.deepEqual(parseWebhookUrl(' https://acme.bitrix24.com/rest/1/abcd1234efgh5678/ '), {
      ok: true,
      webhook: { origin: 'https://acme.bitrix24.com', userId: 1, code: 'abcd1234efgh5678' },
    });
    const withMethod = parseWebhookUrl('https://acme.bitrix24.de/rest/17/abcd1234efgh5678/profile.json');
    assert.ok(withMethod.ok && withMethod.webhook.userId === 17 && withMethod.webhook.code === 'abcd1234efgh5678');
    assert.ok(parseWebhookUrl('http://acme.localhost:8024/rest/1/abcd1234efgh5678').ok, 'http on this machine');
  });

  test('anything else is refused with a message that says what is wrong', () => {
    const refused = (url: string, pattern: RegExp) => {
      const check = parseWebhookUrl(url);
      assert.equal(check.ok, false, url);
      if (!check.ok) assert.match(check.message, pattern, url);
    };
    refused('acme.bitrix24.com/rest/1/abcd1234efgh5678/', /Paste the webhook URL/);
    refused('http://acme.bitrix24.com/rest/1/abcd1234efgh5678/', /unencrypted/);
    refused('https://acme.bitrix24.com/', /\/rest\/<user id>\/<code>\//);
    refused('https://acme.bitrix24.com/rest/abc/abcd1234efgh5678/', /\/rest\/<user id>\/<code>\//);
    refused('https://acme.bitrix24.com/rest/1/short/', /\/rest\/<user id>\/<code>\//);
    refused('https://user:pw@acme.bitrix24.com/rest/1/abcd1234efgh5678/', /user name or password/);
    refused('ftp://acme.bitrix24.com/rest/1/abcd1234efgh5678/', /https:\/\//);
  });
});

describe('Connect with a webhook (core)', () => {
  test('a webhook becomes an account named after its portal, live over Pull; its code stays in the vault only', async () => {
    const vault = new MemoryVault();
    const core = await startTestCore(vault);
    try {
      const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user', 'im', 'task', 'pull_channel']);
      const result = await core.signIns.webhook(`${hook.url}/`);
      assert.ok(result.ok, JSON.stringify(result));
      const { account } = result;
      assert.equal(account.kind, 'webhook');
      assert.equal(account.portalTitle, `acme.localhost:${portal.port}`);
      assert.equal(account.userName, 'Anna Smirnova');
      assert.equal(account.missingScopes, undefined);
      assert.equal(JSON.stringify(account).includes(hook.secret), false, 'the view never carries the code');
      assert.equal(readFileSync(core.profile.accountsFile, 'utf8').includes(hook.secret), false, 'nor does the account list');
      assert.ok((await vault.get(account.id))?.includes(hook.secret), 'the vault does');

      await until(() => core.manager.list()[0]?.connection === 'live', 'live over Pull');
      const changed = new Promise<string | undefined>((resolve) => core.chats.once('changed', (_id, dialogId) => resolve(dialogId)));
      const ben = await restAs(portal, 'acme', 'ben@example.com', 'user.current', {});
      await restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: hook.memberId, MESSAGE: 'Hello, webhook' });
      assert.equal(await changed, String((ben as { ID: string | number }).ID));
      const chats = await core.chats.list({ id: account.id });
      assert.ok(chats.chats.some((chat) => chat.lastMessage?.text === 'Hello, webhook'));
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a webhook without tasks says so; one without pull_channel is polled with im.v2.Event', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const hook = await webhookFor(portal, 'globex', 'anna@example.com', ['user', 'im']);
      const result = await core.signIns.webhook(hook.url);
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.account.missingScopes, ['task']);
      await until(() => core.manager.list()[0]?.connection === 'polling', 'polling');
      const changed = new Promise<string | undefined>((resolve) => core.chats.once('changed', (_id, dialogId) => resolve(dialogId)));
      await restAs(portal, 'globex', 'ben@example.com', 'im.message.add', { DIALOG_ID: hook.memberId, MESSAGE: 'Polled' });
      assert.ok(await changed, 'the poll brought the message');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a wrong code, a wrong host or a bad URL is refused with a clear error and nothing is stored', async () => {
    const written: string[] = [];
    const vault = new (class extends MemoryVault {
      override async set(key: string, value: string): Promise<void> {
        written.push(key);
        await super.set(key, value);
      }
    })();
    const core = await startTestCore(vault);
    try {
      const wrongCode = await core.signIns.webhook(`http://acme.localhost:${portal.port}/rest/1/abcdefgh12345678/`);
      assert.equal(wrongCode.ok, false);
      if (!wrongCode.ok) {
        assert.equal(wrongCode.error, 'invalid_credentials');
        assert.match(wrongCode.message, /did not accept this webhook/);
      }
      const unknown = await core.signIns.webhook(`http://nowhere.localhost:${portal.port}/rest/1/abcdefgh12345678/`);
      assert.equal(unknown.ok, false);
      const notBitrix = await core.signIns.webhook(`http://localhost:${portal.port}/rest/1/abcdefgh12345678/`);
      assert.equal(notBitrix.ok, false);
      const bad = await core.signIns.webhook('https://acme.example.com/rest/1/');
      assert.deepEqual(bad.ok ? null : bad.error, 'invalid_webhook');
      assert.deepEqual(core.manager.list(), []);
      assert.deepEqual(written, [], 'nothing went to the vault');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a webhook deleted in Bitrix24 later shows "sign-in needed"; pasting a new one renews the same account', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const hook = await webhookFor(portal, 'initech', 'anna@example.com', ['user', 'im', 'task', 'pull_channel']);
      const first = await core.signIns.webhook(hook.url);
      assert.ok(first.ok);
      await portal.db.deleteFrom('webhooks').where('member_id', '=', hook.memberId).execute();
      await core.home.get(first.account.id);
      await until(() => core.manager.list()[0]?.state === 'needs_login', 'needs_login');

      const renewed = await webhookFor(portal, 'initech', 'anna@example.com', ['user', 'im', 'task', 'pull_channel']);
      const again = await core.signIns.webhook(renewed.url);
      assert.ok(again.ok);
      assert.equal(again.account.id, first.account.id, 'the same account, cache and place');
      assert.equal(core.manager.list().length, 1);
      assert.equal(again.account.state, 'connected');

      // Delete asks nothing of the portal: a webhook is deleted in Bitrix24 itself.
      const before = portal.requests.length;
      await core.manager.remove(first.account.id);
      assert.equal(portal.requests.slice(before).filter((r) => r.path.startsWith('/oauth/revoke')).length, 0);
      assert.deepEqual(core.manager.list(), []);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});
