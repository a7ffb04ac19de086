import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedDemo } from '../src/seed/demo.ts';
import { openDatabase } from '../src/store/database.ts';

test('seed-demo creates the three portals and running it twice changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-seed-'));
  try {
    const db = await openDatabase(dir);
    const first = await seedDemo(db, Date.now());
    const counts = async () => ({
      portals: (
        await db
          .selectFrom('portals')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
      users: (
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
      members: (
        await db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    });
    const before = await counts();
    const second = await seedDemo(db, Date.now());
    assert.deepEqual(await counts(), before);
    assert.deepEqual(
      first.portals.map((p) => p.name),
      ['acme', 'globex', 'initech'],
    );
    const chen = (r: typeof first) => r.users.find((u) => u.email === 'chen@example.com')?.totpSecret;
    assert.match(chen(first) ?? '', /^[A-Z2-7]{32}$/);
    assert.equal(chen(second), chen(first));
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
