import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { TaskView } from '@multidesk/protocol';
import {
  byUrgency,
  deadlineText,
  deadlineToIso,
  isoToDeadlineInput,
  relativeTime,
  sortTasks,
} from '../src/ui/workspace/tasks/taskFormat.ts';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

function task(id: number, fields: Partial<TaskView> = {}): TaskView {
  return {
    id,
    title: `Task ${id}`,
    description: '',
    status: 'in_progress',
    priority: 1,
    deadline: null,
    responsibleId: 1,
    responsibleName: 'Anna Smirnova',
    createdBy: 1,
    createdByName: 'Anna Smirnova',
    closedDate: null,
    overdue: false,
    ...fields,
  };
}

describe('the deadline field', () => {
  test('a local date and time is sent as ISO 8601 with the offset of that day, summer time included', () => {
    process.env.TZ = 'Europe/Berlin';
    assert.deepEqual(deadlineToIso('2026-03-14T15:30'), { ok: true, iso: '2026-03-14T15:30:00+01:00' });
    assert.deepEqual(deadlineToIso('2026-07-01T09:05'), { ok: true, iso: '2026-07-01T09:05:00+02:00' });
    process.env.TZ = 'America/New_York';
    assert.deepEqual(deadlineToIso('2026-01-02T23:59'), { ok: true, iso: '2026-01-02T23:59:00-05:00' });
    process.env.TZ = 'Asia/Kolkata';
    assert.deepEqual(deadlineToIso('2026-05-12T08:00'), { ok: true, iso: '2026-05-12T08:00:00+05:30' });
  });

  test('empty is no deadline, and anything but a whole date and time is refused', () => {
    assert.deepEqual(deadlineToIso(''), { ok: true, iso: null });
    assert.deepEqual(deadlineToIso('tomorrow'), { ok: false });
    assert.deepEqual(deadlineToIso('2026-05-12'), { ok: false });
  });

  test('a deadline from the portal shows in the field as local time, whatever zone the portal wrote it in', () => {
    process.env.TZ = 'Europe/Berlin';
    assert.equal(isoToDeadlineInput('2026-03-14T14:30:00+00:00'), '2026-03-14T15:30');
    assert.equal(isoToDeadlineInput('2026-03-14T15:30:00+01:00'), '2026-03-14T15:30');
    assert.equal(isoToDeadlineInput(null), '');
    const iso = deadlineToIso('2026-10-25T02:30');
    assert.ok(iso.ok && iso.iso);
    assert.equal(isoToDeadlineInput(iso.iso), '2026-10-25T02:30');
  });
});

describe('task order and deadlines in words', () => {
  test('overdue first, then the soonest deadline, no deadline last, newest first among equals', () => {
    const tasks = [
      task(1),
      task(2, { deadline: '2026-05-20T10:00:00Z' }),
      task(3, { deadline: '2026-05-01T10:00:00Z', overdue: true }),
      task(4, { deadline: '2026-05-10T10:00:00Z' }),
      task(5),
    ];
    assert.deepEqual(
      [...tasks].sort(byUrgency).map((t) => t.id),
      [3, 4, 2, 5, 1],
    );
  });

  test('by priority puts high first and keeps the urgency order within a priority', () => {
    const tasks = [
      task(1, { deadline: '2026-05-01T10:00:00Z' }),
      task(2, { priority: 2 }),
      task(3, { priority: 2, overdue: true, deadline: '2026-04-01T00:00:00Z' }),
    ];
    assert.deepEqual(
      sortTasks(tasks, 'priority', (t) => t).map((t) => t.id),
      [3, 2, 1],
    );
  });

  test('an open task past its deadline reads as overdue even when the list was fetched before the deadline', () => {
    const now = Date.parse('2026-05-12T12:00:00Z');
    const past = task(1, { deadline: '2026-05-12T11:00:00Z', overdue: false });
    assert.equal(deadlineText(past, now)?.overdue, true);
    assert.equal(deadlineText({ ...past, status: 'completed' }, now)?.overdue, false);
    assert.equal(deadlineText(task(2), now), null);
  });

  test('relative times pick the unit that reads naturally', () => {
    const now = Date.parse('2026-05-12T12:00:00Z');
    const hour = 3_600_000;
    assert.match(relativeTime(now + 5 * hour, now), /5 hours/);
    assert.match(relativeTime(now - 26 * hour, now), /yesterday|1 day/);
    assert.match(relativeTime(now + 3 * 24 * hour, now), /3 days/);
    assert.match(relativeTime(now + 20 * 24 * hour, now), /3 weeks/);
    assert.equal(relativeTime(now - 10_000, now), 'just now');
  });
});
