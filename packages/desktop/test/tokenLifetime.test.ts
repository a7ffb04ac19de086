import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore, until } from './coreHarness.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(() => portal.close());

/** Refresh requests the portal received for `name`, from `since` (an index into its request log). */
const refreshRequests = (name: string, since: number) =>
  portal.requests.slice(since).filter((r) => r.method === 'POST' && r.path === '/oauth/token/' && r.host.startsWith(`${name}.`)).length;

/** Refresh tokens of the portal's desktop sign-ins that were spent (each one once, when rotated). */
async function spentRefreshTokens(portalId: number): Promise<number> {
  const rows = await portal.db
    .selectFrom('oauth_tokens')
    .innerJoin('token_families', 'token_families.id', 'oauth_tokens.family_id')
    .select('oauth_tokens.token_hash')
    .where('oauth_tokens.kind', '=', 'refresh')
    .where('oauth_tokens.used_at', 'is not', null)
    .where('token_families.portal_id', '=', portalId)
    .execute();
  return rows.length;
}

test('an account used a few times a week for 200 days is never asked to sign in again; one left past the refresh lifetime needs a sign-in and loses nothing else', async () => {
  const core = await startTestCore(new MemoryVault(), undefined, { now: portal.clock.now });
  try {
    const acme = await signInAt(core, portal.port, 'acme');
    const globex = await signInAt(core, portal.port, 'globex');
    // Globex is opened once (its chats and home are saved), then switched off and left alone.
    const globexChats = await core.chats.list({ id: globex.id });
    assert.ok(globexChats.chats.length > 0, 'globex has chats to keep');
    await core.home.get(globex.id);
    await core.manager.disconnect(globex.id);

    const acmePortal = await portal.db.selectFrom('portals').select('id').where('name', '=', 'acme').executeTakeFirstOrThrow();
    const spentBefore = await spentRefreshTokens(acmePortal.id);
    const requestsBefore = portal.requests.length;
    let signInsAsked = 0;
    core.manager.on('changed', () => {
      if (core.manager.list().find((a) => a.id === acme.id)?.state === 'needs_login') signInsAsked++;
    });

    /**
     * One use of the app: two windows (home, chats) and the realtime link (its Pull config) ask
     * the portal at the same moment, an hour after the access token ran out or days later.
     */
    const openAcme = async () => {
      const session = core.manager.access(acme.id).session;
      assert.ok(session, 'acme is connected');
      const [home, chats] = await Promise.all([
        core.home.get(acme.id),
        core.chats.list({ id: acme.id }),
        session.call('pull.config.get', { CACHE: 'N' }, { priority: 'background' }),
      ]);
      assert.equal(home.stale, false, JSON.stringify(home));
      assert.ok(chats.chats.length > 0);
    };

    // A few times a week: every second or third day, each time for a morning past one access token.
    let uses = 0;
    let elapsed = 0;
    for (let day = 0; elapsed < 200 * DAY; day++) {
      const gap = (day % 3 === 2 ? 3 : 2) * DAY + (day % 5) * HOUR;
      portal.clock.advance(gap);
      elapsed += gap;
      await openAcme();
      portal.clock.advance(HOUR + 5 * 60_000);
      elapsed += HOUR + 5 * 60_000;
      await openAcme();
      uses += 2;
      assert.equal(core.manager.list().find((a) => a.id === acme.id)?.state, 'connected', `day ${Math.round(elapsed / DAY)}`);
    }
    // Whatever the realtime link still does on its own has settled.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refreshes = refreshRequests('acme', requestsBefore);
    const spentTwice = refreshes - ((await spentRefreshTokens(acmePortal.id)) - spentBefore);
    console.log(
      `200 days: ${uses} uses, ${refreshes} refreshes, ${signInsAsked} sign-ins asked (must be 0), ${spentTwice} refresh tokens spent twice (must be 0)`,
    );
    assert.equal(signInsAsked, 0);
    assert.equal(spentTwice, 0);
    assert.ok(refreshes >= uses, `every use past an hour refreshed (${refreshes} for ${uses} uses)`);
    const families = await portal.db
      .selectFrom('token_families')
      .select(['revoked_at'])
      .where('portal_id', '=', acmePortal.id)
      .where('revoked_at', 'is not', null)
      .execute();
    assert.equal(families.length, 0, 'no sign-in was revoked for reuse');

    // Globex, left alone for over 180 days, is switched on again: it needs a sign-in, nothing more.
    await core.manager.connect(globex.id);
    await until(
      () => core.manager.list().find((a) => a.id === globex.id)?.state === 'needs_login',
      () => `globex: ${JSON.stringify(core.manager.list())}`,
    );
    assert.deepEqual(
      core.manager.list().map((a) => [a.portalTitle, a.state]),
      [
        ['Acme Corp', 'connected'],
        ['Globex', 'needs_login'],
      ],
    );
    const kept = await core.chats.list({ id: globex.id });
    assert.deepEqual(kept.problem, { code: 'needs_login' });
    assert.deepEqual(
      kept.chats.map((c) => c.dialogId),
      globexChats.chats.map((c) => c.dialogId),
      'its saved chats are kept',
    );
    assert.equal((await core.home.get(globex.id)).profile?.email, 'anna@example.com', 'its saved home is kept');
    await openAcme();
    // Signing in again brings the same account back.
    const again = await signInAt(core, portal.port, 'globex');
    assert.equal(again.id, globex.id);
    assert.equal(again.state, 'connected');
  } finally {
    await core.close();
    core.removeProfile();
  }
});
