import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BITRIX_TASK_STATUS } from '@multidesk/protocol';
import { seedDemo } from '../src/seed/demo.ts';
import { demoMembers } from '../src/seed/demoMembers.ts';
import { openDatabase } from '../src/store/database.ts';

test('seed-demo gives every portal tasks for anna: overdue, due soon, completed, from colleagues and from herself; again, nothing changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'multidesk-seed-tasks-'));
  try {
    const db = await openDatabase(dir);
    const now = Date.now();
    await seedDemo(db, now);
    const snapshot = async () => ({
      tasks: await db.selectFrom('tasks').selectAll().orderBy('id').execute(),
      people: await db.selectFrom('task_members').selectAll().orderBy('task_id').orderBy('member_id').orderBy('role').execute(),
    });
    const first = await snapshot();
    await seedDemo(db, now + 3_600_000);
    assert.deepEqual(await snapshot(), first);

    for (const name of ['acme', 'globex', 'initech']) {
      const portal = await db.selectFrom('portals').select('id').where('name', '=', name).executeTakeFirstOrThrow();
      const annaId = (await demoMembers(db, portal.id)).get('anna');
      assert.ok(annaId, `anna is a member of ${name}`);
      const tasks = first.tasks.filter((t) => t.portal_id === portal.id);
      assert.ok(tasks.length >= 6 && tasks.length <= 8, `${name}: ${tasks.length} tasks`);
      const annas = tasks.filter((t) => t.responsible_id === annaId);
      const open = annas.filter((t) => t.status !== BITRIX_TASK_STATUS.completed);
      assert.ok(
        open.some((t) => t.deadline !== null && t.deadline < now),
        `${name}: an overdue task for anna`,
      );
      assert.ok(
        open.some((t) => t.deadline !== null && t.deadline > now && t.deadline < now + 24 * 3_600_000),
        `${name}: a task due soon`,
      );
      const done = annas.filter((t) => t.status === BITRIX_TASK_STATUS.completed);
      assert.ok(done.length > 0 && done.every((t) => t.closed_at !== null), `${name}: a completed task, closed`);
      assert.ok(
        annas.some((t) => t.created_by !== annaId),
        `${name}: set by a colleague`,
      );
      assert.ok(
        tasks.some((t) => t.created_by === annaId),
        `${name}: set by anna`,
      );
    }
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
