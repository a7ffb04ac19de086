import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Agent } from 'undici';
import { RevocationQueue } from '../src/core/accounts/revocationQueue.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';

const dir = mkdtempSync(join(tmpdir(), 'multidesk-revocations-'));
const dispatcher = new Agent();
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dispatcher.close();
});

test('accounts deleted together while their portal is down all stay queued for revocation on disk (crash mid-write, issue 17)', async () => {
  for (let round = 0; round < 5; round++) {
    const file = join(dir, `revocations-${round}.json`);
    const vault = new MemoryVault();
    const queue = new RevocationQueue(file, vault, dispatcher);
    // Nothing listens on the discard port: every revocation is queued, and each queueing saves the file.
    const revoked = await Promise.all(
      Array.from({ length: 20 }, (_, i) => queue.revoke('http://127.0.0.1:9', `refresh-${i}`, `account-${i}`)),
    );
    queue.stop();
    assert.deepEqual(new Set(revoked), new Set([false]));
    const reopened = new RevocationQueue(file, vault, dispatcher);
    await reopened.load();
    reopened.stop();
    assert.equal(reopened.size, 20, `round ${round}: what a restart still revokes`);
  }
});
