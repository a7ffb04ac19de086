import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretHashes } from '../src/auth/secretHashes.ts';
import { hashSecret } from '../src/auth/secrets.ts';

test('a secret has the hash hashSecret gives it, kept or not', () => {
  const hashes = new SecretHashes();
  assert.equal(hashes.of('token-a'), hashSecret('token-a'));
  hashes.keep('token-a', hashes.of('token-a'));
  assert.equal(hashes.of('token-a'), hashSecret('token-a'));
  assert.equal(hashes.of('token-b'), hashSecret('token-b'), 'one not kept is hashed');
  assert.equal(hashes.size, 1, 'only what was kept is kept');
});

test('at most maxEntries secrets are kept', () => {
  const hashes = new SecretHashes(3);
  for (let i = 0; i < 10; i++) {
    hashes.keep(`token-${i}`, hashSecret(`token-${i}`));
    assert.ok(hashes.size <= 3);
  }
  for (let i = 0; i < 10; i++) assert.equal(hashes.of(`token-${i}`), hashSecret(`token-${i}`));
});
