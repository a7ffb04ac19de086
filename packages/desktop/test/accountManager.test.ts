import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import { hashSecret } from '../../portal/src/auth/secrets.ts';
import { totpCode } from '../../portal/src/auth/totp.ts';
import { findToken } from '../../portal/src/store/tokens.ts';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import type { StoredTokens } from '../src/core/accounts/credentials.ts';
import { FileVault } from '../src/core/vault/fileVault.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { startTestCore, until } from './coreHarness.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

const address = (name: string) => `${name}.localhost:${portal.port}`;

async function refreshStatus(refreshToken: string, name = 'acme'): Promise<number> {
  const response = await fetch(`${portal.url(name)}/oauth/token/`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: DESKTOP_CLIENT_ID, refresh_token: refreshToken }),
  });
  return response.status;
}

describe('signing in', () => {
  test('anna signs in to acme by address, and the account shows her name and the portal people', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const result = await core.signIns.password({
        address: `http://${address('acme')}/`,
        login: 'anna@example.com',
        password: 'multidesk-demo',
      });
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.account.portalTitle, 'Acme Corp');
      assert.equal(result.account.userName, 'Anna Smirnova');
      assert.equal(result.account.portalUrl, portal.url('acme'));
      assert.equal(result.account.state, 'connected');
      const home = await core.home.get(result.account.id);
      assert.equal(home.stale, false);
      assert.equal(home.profile?.email, 'anna@example.com');
      assert.ok(home.people.some((p) => p.email === 'ben@example.com'));
      assert.ok(!home.people.some((p) => p.email === 'chen@example.com'), 'only acme people');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('every failure has its own code', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const attempt = (over: Partial<{ address: string; login: string; password: string; otp: string }>) =>
        core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo', ...over });
      const codes = {
        invalid: await attempt({ address: 'not an address' }),
        scheme: await attempt({ address: 'ftp://acme.example.com' }),
        unknown: await attempt({ address: address('nowhere') }),
        unreachable: await attempt({ address: '127.0.0.1:9' }),
        password: await attempt({ password: 'wrong-password' }),
        member: await attempt({ address: address('initech'), login: 'ben@example.com' }),
        otp: await attempt({ address: address('initech'), login: 'chen@example.com' }),
      };
      const errors = Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.ok ? 'ok' : v.error]));
      assert.deepEqual(errors, {
        invalid: 'invalid_address',
        scheme: 'invalid_address',
        unknown: 'unknown_address',
        unreachable: 'unreachable',
        password: 'invalid_credentials',
        member: 'not_a_member',
        otp: 'otp_required',
      });
      assert.deepEqual(core.manager.list(), []);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test("chen's second step with a TOTP code signs in", async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const secret = portal.demo.users.find((u) => u.email === 'chen@example.com')?.totpSecret as string;
      const result = await core.signIns.password({
        address: address('initech'),
        login: 'chen@example.com',
        password: 'multidesk-demo',
        otp: totpCode(secret, portal.clock.now()),
      });
      assert.ok(result.ok);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('ben and anna on acme are two accounts', async () => {
    const core = await startTestCore(new MemoryVault());
    try {
      const anna = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      const ben = await core.signIns.password({ address: address('acme'), login: 'ben@example.com', password: 'multidesk-demo' });
      assert.ok(anna.ok && ben.ok);
      assert.notEqual(anna.account.id, ben.account.id);
      assert.deepEqual(
        core.manager.list().map((a) => a.userName),
        ['Anna Smirnova', 'Ben Carter'],
      );
      const again = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(again.ok);
      assert.equal(again.account.id, anna.account.id, 'the same user on the same portal is the same account');
      assert.equal(core.manager.list().length, 2);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('the same user signing in twice at once (two windows) is still one account', async () => {
    // A keychain takes its time: the second sign-in ends while the first one's secret is being saved.
    class SlowVault extends MemoryVault {
      override async set(key: string, value: string): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return super.set(key, value);
      }
    }
    const core = await startTestCore(new SlowVault());
    try {
      const signIn = () => core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      const [first, second] = await Promise.all([signIn(), signIn()]);
      assert.ok(first.ok && second.ok);
      assert.equal(first.account.id, second.account.id);
      assert.deepEqual(
        core.manager.list().map((a) => a.userName),
        ['Anna Smirnova'],
      );
    } finally {
      await core.close();
      core.removeProfile();
    }
  });
});

describe('account life cycle', () => {
  test('accounts come back after a restart without a login, in order and state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-restart-'));
    const vaultFile = `${dir}/vault.json`;
    const core = await startTestCore(new FileVault(vaultFile), dir);
    const acme = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
    const globex = await core.signIns.password({ address: address('globex'), login: 'anna@example.com', password: 'multidesk-demo' });
    assert.ok(acme.ok && globex.ok);
    await core.manager.disconnect(globex.account.id);
    await core.close();

    const restarted = await startTestCore(new FileVault(vaultFile), dir);
    try {
      assert.deepEqual(
        restarted.manager.list().map((a) => [a.portalTitle, a.state]),
        [
          ['Acme Corp', 'connected'],
          ['Globex', 'disconnected'],
        ],
      );
      const home = await restarted.home.get(acme.account.id);
      assert.equal(home.profile?.name, 'Anna');
      const cached = await restarted.home.get(globex.account.id);
      assert.equal(cached.stale, true);
      assert.equal(cached.profile?.name, 'Anna', 'a disconnected account shows its cached home');
      await restarted.manager.connect(globex.account.id);
      assert.equal((await restarted.home.get(globex.account.id)).stale, false);
    } finally {
      await restarted.close();
      restarted.removeProfile();
    }
  });

  test('started to go online later (the app: once its browser is starting), the accounts kept wait for goOnline()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multidesk-online-later-'));
    const vaultFile = `${dir}/vault.json`;
    const core = await startTestCore(new FileVault(vaultFile), dir);
    const acme = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
    assert.ok(acme.ok);
    await core.close();

    const restarted = await startTestCore(new FileVault(vaultFile), dir, { goOnlineLater: true });
    try {
      const [kept] = restarted.manager.list();
      assert.equal(kept?.state, 'connected');
      assert.equal(kept?.connection, undefined, 'no realtime link yet');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(restarted.manager.isLive(acme.account.id), false);
      restarted.manager.goOnline();
      await until(() => restarted.manager.isLive(acme.account.id), 'acme live after goOnline()');
      restarted.manager.goOnline();
      assert.equal(restarted.manager.isLive(acme.account.id), true, 'a second call leaves the link as it is');
    } finally {
      await restarted.close();
      restarted.removeProfile();
    }
  });

  test('with a memory vault a restart asks for the logins again', async () => {
    const core = await startTestCore(new MemoryVault());
    const result = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
    assert.ok(result.ok);
    await core.close();
    const restarted = await startTestCore(new MemoryVault(), core.profileDir);
    try {
      assert.equal(restarted.manager.list()[0]?.state, 'needs_login');
    } finally {
      await restarted.close();
      restarted.removeProfile();
    }
  });

  test('delete revokes the refresh token on the server and removes secrets and cache', async () => {
    const vault = new MemoryVault();
    const core = await startTestCore(vault);
    try {
      const result = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(result.ok);
      const tokens = JSON.parse((await vault.get(result.account.id)) as string) as StoredTokens;
      assert.ok(existsSync(core.profile.cacheDir(result.account.id)));
      await core.manager.remove(result.account.id);
      assert.equal(await vault.get(result.account.id), null);
      assert.equal(existsSync(core.profile.cacheDir(result.account.id)), false);
      assert.deepEqual(core.manager.list(), []);
      assert.equal(await refreshStatus(tokens.refreshToken), 400);
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a refresh the server refuses puts only that account in needs_login', async () => {
    const vault = new MemoryVault();
    const core = await startTestCore(vault);
    try {
      const acme = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      const globex = await core.signIns.password({ address: address('globex'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(acme.ok && globex.ok);
      const tokens = JSON.parse((await vault.get(acme.account.id)) as string) as StoredTokens;
      await fetch(`${portal.url('acme')}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refreshToken }) });
      await core.home.get(acme.account.id);
      const states = core.manager.list().map((a) => [a.portalTitle, a.state]);
      assert.deepEqual(states, [
        ['Acme Corp', 'needs_login'],
        ['Globex', 'connected'],
      ]);
      const cached = await core.home.get(acme.account.id);
      assert.equal(cached.profile?.name, 'Anna', 'the cache is kept');
      const again = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(again.ok);
      assert.equal(again.account.id, acme.account.id);
      assert.equal(again.account.state, 'connected');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('an expired access token is refreshed once however many requests race', async () => {
    const vault = new MemoryVault();
    const core = await startTestCore(vault);
    try {
      const result = await core.signIns.password({ address: address('acme'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(result.ok);
      const before = JSON.parse((await vault.get(result.account.id)) as string) as StoredTokens;
      const rotated = async () =>
        (
          await portal.db
            .selectFrom('oauth_tokens')
            .select('token_hash')
            .where('kind', '=', 'refresh')
            .where('used_at', 'is not', null)
            .execute()
        ).length;
      const rotationsBefore = await rotated();
      portal.clock.advance(3600_000 + 5_000);
      const homes = await Promise.all(Array.from({ length: 8 }, () => core.home.get(result.account.id)));
      assert.ok(homes.every((h) => !h.stale));
      assert.equal(await rotated(), rotationsBefore + 1, 'one refresh for eight racing requests');
      const after = JSON.parse((await vault.get(result.account.id)) as string) as StoredTokens;
      assert.notEqual(after.refreshToken, before.refreshToken, 'the rotated pair was saved');
      assert.equal(core.manager.list()[0]?.state, 'connected');
    } finally {
      await core.close();
      core.removeProfile();
    }
  });

  test('a portal that does not answer never holds up the other accounts', async () => {
    const other = await startTestPortal();
    const core = await startTestCore(new MemoryVault());
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => {
      sockets.push(socket);
    });
    try {
      const slow = await core.signIns.password({
        address: `acme.localhost:${other.port}`,
        login: 'anna@example.com',
        password: 'multidesk-demo',
      });
      const fine = await core.signIns.password({ address: address('globex'), login: 'anna@example.com', password: 'multidesk-demo' });
      assert.ok(slow.ok && fine.ok);
      const port = other.port;
      await other.close();
      // Let the client notice that its pooled connection was closed by the server.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The same address now accepts connections and never answers: the worst kind of "down".
      await new Promise<void>((resolve) => blackHole.listen(port, '127.0.0.1', resolve));
      let slowSettled = false;
      const slowHome = core.home.get(slow.account.id).finally(() => {
        slowSettled = true;
      });
      const fineHome = await core.home.get(fine.account.id);
      assert.equal(fineHome.stale, false);
      assert.equal(fineHome.profile?.name, 'Anna');
      assert.equal(slowSettled, false, 'the silent portal is still being waited for');
      for (const socket of sockets) socket.destroy();
      const result = await slowHome;
      assert.equal(result.stale, true);
      assert.deepEqual(result.problem, { code: 'unreachable' });
      assert.equal(core.manager.list().find((a) => a.id === slow.account.id)?.state, 'connected', 'a network failure is not a sign-out');
    } finally {
      blackHole.close();
      await core.close();
      core.removeProfile();
    }
  });

  test('Delete while the portal is down queues the revocation and sends it once the portal is back', async () => {
    // A relay in front of the portal stands for the network between them: stopped, the portal is down.
    const relaySockets = new Set<Socket>();
    const startRelay = (port: number) =>
      new Promise<Server>((resolve) => {
        const relay = createServer((client) => {
          const upstream = connect(portal.port, '127.0.0.1');
          relaySockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          client.on('error', () => upstream.destroy());
          upstream.on('error', () => client.destroy());
        });
        relay.listen(port, '127.0.0.1', () => resolve(relay));
      });
    const stopRelay = (relay: Server) =>
      new Promise<void>((resolve) => {
        for (const socket of relaySockets) socket.destroy();
        relaySockets.clear();
        relay.close(() => resolve());
      });
    let relay = await startRelay(0);
    const relayPort = (relay.address() as { port: number }).port;
    const vault = new MemoryVault();
    const core = await startTestCore(vault);
    try {
      const result = await core.signIns.password({
        address: `acme.localhost:${relayPort}`,
        login: 'anna@example.com',
        password: 'multidesk-demo',
      });
      assert.ok(result.ok);
      const tokens = JSON.parse((await vault.get(result.account.id)) as string) as StoredTokens;
      await stopRelay(relay);
      await core.manager.remove(result.account.id);
      assert.deepEqual(core.manager.list(), [], 'the account is gone at once');
      assert.equal(await vault.get(result.account.id), null);
      const revokedAt = async () => (await findToken(portal.db, hashSecret(tokens.refreshToken)))?.revoked_at ?? null;
      assert.equal(await revokedAt(), null, 'not yet revoked: the portal was unreachable');
      const queued = JSON.parse(readFileSync(core.profile.revocationsFile, 'utf8'));
      assert.equal(queued.pending.length, 1);
      assert.ok(!JSON.stringify(queued).includes(tokens.refreshToken), 'the queue file holds no secret');

      relay = await startRelay(relayPort);
      await core.tokens.flushRevocations();
      const rotated = JSON.parse(readFileSync(core.profile.revocationsFile, 'utf8'));
      assert.equal(rotated.pending.length, 0);
      assert.equal(await vault.get(`revoke:${result.account.id}`), null);
      assert.notEqual(await revokedAt(), null, 'revoked on the server');
    } finally {
      await stopRelay(relay);
      await core.close();
      core.removeProfile();
    }
  });
});
