import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AccountRegistry, RegistryUnreadableError, type StoredAccount } from '../src/core/accounts/accountRegistry.ts';
import { FileVault } from '../src/core/vault/fileVault.ts';

const dir = mkdtempSync(join(tmpdir(), 'multidesk-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const account = (id: string): StoredAccount => ({
  id,
  portalUrl: 'http://acme.localhost:8024',
  portalTitle: 'Acme Corp',
  userId: 1,
  userName: 'Anna Smirnova',
  login: 'anna@example.com',
  state: 'connected',
  addedAt: 1,
});

test('the account list round-trips, versioned, readable only by its owner, with no temp file left', async () => {
  const file = join(dir, 'accounts.json');
  const registry = new AccountRegistry(file);
  assert.deepEqual(await registry.load(), []);
  await registry.save([account('aaaaaaaa-1'), account('bbbbbbbb-2')]);
  assert.deepEqual(
    (await registry.load()).map((a) => a.id),
    ['aaaaaaaa-1', 'bbbbbbbb-2'],
  );
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).version, 1);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('of two saves at once, the one asked for last is on disk, however long the first takes to write (crash mid-write, issue 17)', async () => {
  const registry = new AccountRegistry(join(dir, 'overlapping.json'));
  // A long list is slower to write than a short one: without a queue it used to land last.
  const long = Array.from({ length: 5_000 }, (_, i) => ({ ...account(`aaaaaaaa-${i}`), portalTitle: 'x'.repeat(200) }));
  for (let round = 0; round < 5; round++) {
    await Promise.all([registry.save(long), registry.save([account('bbbbbbbb-latest')])]);
    assert.deepEqual(
      (await registry.load()).map((a) => a.id),
      ['bbbbbbbb-latest'],
    );
  }
});

test('a temp file left by a crash mid-write does not touch the saved list', async () => {
  const file = join(dir, 'crash.json');
  const registry = new AccountRegistry(file);
  await registry.save([account('cccccccc-3')]);
  // What a crash between writing the temp file and the rename leaves behind.
  writeFileSync(join(dir, '.deadbeef.tmp'), '{"version":1,"accounts":[{"id":"torn');
  assert.deepEqual(
    (await registry.load()).map((a) => a.id),
    ['cccccccc-3'],
  );
});

test('an unreadable list is set aside, never overwritten, and the error says where it is', async () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, '{"version": 1, "accounts": [');
  const registry = new AccountRegistry(file);
  await assert.rejects(registry.load(), (error: unknown) => {
    assert.ok(error instanceof RegistryUnreadableError);
    assert.equal(readFileSync(error.asidePath, 'utf8'), '{"version": 1, "accounts": [');
    return true;
  });
});

test('the file vault is a 0600 file that keeps secrets across instances', async () => {
  const file = join(dir, 'vault.json');
  await new FileVault(file).set('k', 'secret');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = new FileVault(file);
  assert.equal(await again.get('k'), 'secret');
  await again.delete('k');
  assert.equal(await new FileVault(file).get('k'), null);
  assert.match(again.info.notice ?? '', /not encrypted/);
});
