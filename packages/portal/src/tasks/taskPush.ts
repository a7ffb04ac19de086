import { randomUUID } from 'node:crypto';
import type { PullBody } from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import type { TaskRecord } from '../store/tasks.ts';

/**
 * The tasks module's Pull commands in Bitrix24's shapes (Bitrix\Tasks\Integration\Pull): UPPER
 * keys, `BEFORE`/`AFTER` with the changed fields (raw values, as strings where the database has
 * them so), `GROUP_ID` always, and a fresh `event_GUID` per change.
 */

const tasks = (command: string, params: Record<string, unknown>): PullBody => ({ module_id: 'tasks', command, params });

const date = (ms: number | null) => (ms === null ? null : isoDateTime(ms));

/** The task's fields as the tasks module's `AFTER` lists them. */
export function taskRow(task: TaskRecord): Record<string, unknown> {
  return {
    ID: String(task.id),
    TITLE: task.title,
    DESCRIPTION: task.description,
    STATUS: String(task.status),
    PRIORITY: String(task.priority),
    RESPONSIBLE_ID: String(task.responsible_id),
    CREATED_BY: String(task.created_by),
    DEADLINE: date(task.deadline),
    CREATED_DATE: date(task.created_at),
    CHANGED_DATE: date(task.changed_at),
    CLOSED_DATE: date(task.closed_at),
    ACCOMPLICES: task.accomplices.map(String),
    AUDITORS: task.auditors.map(String),
    GROUP_ID: 0,
  };
}

const common = (now: number) => ({ TS: Math.floor(now / 1000), event_GUID: randomUUID() });
const results = { taskRequireResult: 'N', taskHasResult: 'N', taskHasOpenResult: 'N' };

export function taskAdd(task: TaskRecord, now: number): PullBody {
  return tasks('task_add', { TASK_ID: task.id, AFTER: taskRow(task), ...common(now), params: { addCommentExists: false }, ...results });
}

/** `task_update`: only what changed, before and after; `removedParticipants` learn it too. */
export function taskUpdate(before: TaskRecord, after: TaskRecord, actorId: number, removed: readonly number[], now: number): PullBody {
  const old = taskRow(before);
  const fresh = taskRow(after);
  const changed = Object.keys(fresh).filter((key) => JSON.stringify(old[key]) !== JSON.stringify(fresh[key]) && key !== 'CHANGED_DATE');
  const pick = (row: Record<string, unknown>) => ({ ...Object.fromEntries(changed.map((key) => [key, row[key]])), GROUP_ID: 0 });
  return tasks('task_update', {
    TASK_ID: after.id,
    USER_ID: actorId,
    BEFORE: pick(old),
    AFTER: pick(fresh),
    ...common(now),
    params: { HIDE: false, updateCommentExists: false, removedParticipants: [...removed] },
    ...results,
  });
}

export function taskRemove(task: TaskRecord, now: number): PullBody {
  return tasks('task_remove', { TASK_ID: task.id, FLOW_ID: 0, ...common(now), BEFORE: { GROUP_ID: 0, PARENT_ID: 0 } });
}
