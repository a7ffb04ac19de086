import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { KeyringVault, keyringEntry } from '../src/core/vault/keyringVault.ts';

// The test command runs the suite inside dbus-run-session with an unlocked gnome-keyring, so the
// real Secret Service is there; without it this test fails rather than pretending.
const SERVICE = `multidesk-test-${process.pid}`;

test('the keyring vault stores, reads back and deletes a secret in the system keychain', async () => {
  assert.equal(await KeyringVault.unavailableReason(SERVICE), null, 'a Secret Service must be running (see scripts/test.sh)');
  const vault = new KeyringVault(SERVICE);
  const key = randomUUID();
  await vault.set(key, 'refresh-token-value');
  assert.equal(await vault.get(key), 'refresh-token-value');
  assert.equal(await keyringEntry(SERVICE, key).getPassword(), 'refresh-token-value', 'it is really in the keychain');
  await vault.delete(key);
  assert.equal(await vault.get(key), null);
  assert.equal((await keyringEntry(SERVICE, key).getPassword()) ?? null, null);
});

test('operations on one key run in order even when started together', async () => {
  const vault = new KeyringVault(SERVICE);
  const key = randomUUID();
  await Promise.all([vault.set(key, 'one'), vault.set(key, 'two'), vault.set(key, 'three')]);
  assert.equal(await vault.get(key), 'three');
  await vault.delete(key);
});
