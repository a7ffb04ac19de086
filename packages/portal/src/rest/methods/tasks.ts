import { BITRIX_TASK_STATUS } from '@multidesk/protocol';
import type { Updateable } from 'kysely';
import { changeAndPublish, portalMembersAmong } from '../../realtime/publish.ts';
import { activeMemberIds } from '../../store/members.ts';
import type { Executor, TaskTable } from '../../store/schema.ts';
import {
  deleteTask,
  findTask,
  insertTask,
  listTasks,
  TASK_SORT_FIELDS,
  type TaskRecord,
  type TaskViewer,
  taskPeople,
  updateTask,
} from '../../store/tasks.ts';
import { canChange, canDelete, canSee, participantsOf } from '../../tasks/taskAccess.ts';
import { taskAdd, taskRemove, taskUpdate } from '../../tasks/taskPush.ts';
import { invalidArgument, RestFailure, type RestOutcome } from '../envelope.ts';
import { parseFilter, parseSort } from '../filter.ts';
import { pageFields, param, type RestParams, readPage, toInteger } from '../params.ts';
import type { MethodTable, RestAuth, RestCall } from '../registry.ts';
import { readTaskFields, TASK_FILTER_FIELDS, type TaskInput } from '../taskFields.ts';
import { answeredTask, readListParams, readSelect } from '../taskSelect.ts';
import { bitrixTask, namedPeople } from '../taskShape.ts';

/** Bitrix24's answer for a task that does not exist and for one the caller may not see: the same, on purpose. */
const NOT_ACCESSIBLE = 'Task not found or not accessible';
const denied = (description = NOT_ACCESSIBLE) => new RestFailure('ACCESS_DENIED', description);

const viewerOf = (auth: RestAuth): TaskViewer => ({ memberId: auth.memberId, admin: auth.user.role === 'admin' });

function readTaskId(params: RestParams): number {
  const raw = param(params, 'taskId');
  if (raw === undefined || raw === '') throw invalidArgument('taskId is required.');
  return toInteger(raw, 'taskId');
}

function readFields(params: RestParams): TaskInput {
  const fields = param(params, 'fields');
  if (fields === undefined) throw invalidArgument('fields is required, e.g. fields[TITLE]=…');
  return readTaskFields(fields);
}

/** A task the viewer may see; otherwise ACCESS_DENIED, exactly as for a task that does not exist. */
async function visibleTask(db: Executor, portalId: number, taskId: number, viewer: TaskViewer): Promise<TaskRecord> {
  const task = await findTask(db, portalId, taskId);
  if (!task || !canSee(task, viewer)) throw denied();
  return task;
}

/** Every user the fields name must be an active member of this portal. */
async function requireActiveMembers(db: Executor, portalId: number, input: TaskInput): Promise<void> {
  const named: [string, number[]][] = [
    ['fields[RESPONSIBLE_ID]', input.responsibleId === undefined ? [] : [input.responsibleId]],
    ['fields[CREATED_BY]', input.createdBy === undefined ? [] : [input.createdBy]],
    ['fields[ACCOMPLICES]', input.accomplices ?? []],
    ['fields[AUDITORS]', input.auditors ?? []],
  ];
  const active = await activeMemberIds(
    db,
    portalId,
    named.flatMap(([, ids]) => ids),
  );
  for (const [name, ids] of named) {
    const stranger = ids.find((id) => !active.has(id));
    if (stranger !== undefined) throw invalidArgument(`${name}: user ${stranger} is not an active member of this Bitrix24.`);
  }
}

/** Columns a status change sets: completing closes the task, leaving "completed" reopens it. */
function statusColumns(status: number, before: number | null, memberId: number, now: number): Updateable<TaskTable> {
  if (status === before) return {};
  if (status === BITRIX_TASK_STATUS.completed) return { status, closed_at: now, closed_by: memberId };
  return { status, closed_at: null, closed_by: null };
}

function changedColumns(input: TaskInput, before: TaskRecord, memberId: number, now: number): Updateable<TaskTable> {
  return {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.responsibleId !== undefined ? { responsible_id: input.responsibleId } : {}),
    ...(input.createdBy !== undefined ? { created_by: input.createdBy } : {}),
    ...(input.deadline !== undefined ? { deadline: input.deadline } : {}),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.status !== undefined ? statusColumns(input.status, before.status, memberId, now) : {}),
    changed_at: now,
    changed_by: memberId,
  };
}

async function answerTask(call: RestCall, task: TaskRecord, select: ReadonlySet<string> | null = null): Promise<RestOutcome> {
  const viewer = viewerOf(call.auth);
  const people = await taskPeople(call.ctx.db, call.portal.id, namedPeople([task]));
  return { result: { task: answeredTask(bitrixTask(task, people, viewer), task, viewer, call.ctx.now(), select) } };
}

/**
 * Changes a task the caller may change, in one transaction with the `task_update` its participants
 * (before and after) get. `change` returns the columns to set, or null when the task stays as it is.
 */
async function changeTask(
  call: RestCall,
  taskId: number,
  change: (trx: Executor, before: TaskRecord) => Promise<{ columns: Updateable<TaskTable>; input?: TaskInput } | null>,
): Promise<RestOutcome> {
  const viewer = viewerOf(call.auth);
  const after = await changeAndPublish(call.ctx, async (trx, events) => {
    const before = await visibleTask(trx, call.portal.id, taskId, viewer);
    if (!canChange(before, viewer)) throw denied('You may not change this task: auditors only watch it.');
    const planned = await change(trx, before);
    if (!planned) return before;
    await updateTask(trx, call.portal.id, taskId, planned.columns, {
      ...(planned.input?.accomplices ? { accomplices: planned.input.accomplices } : {}),
      ...(planned.input?.auditors ? { auditors: planned.input.auditors } : {}),
    });
    const after = (await findTask(trx, call.portal.id, taskId)) as TaskRecord;
    const now = participantsOf(after);
    const removed = participantsOf(before).filter((id) => !now.includes(id));
    const body = taskUpdate(before, after, call.auth.memberId, removed, call.ctx.now());
    for (const memberId of await portalMembersAmong(trx, call.portal.id, [...now, ...removed])) events.push({ memberId, body });
    return after;
  });
  return answerTask(call, after);
}

/** Bitrix24's tasks.task.* over the portal's tasks, seen only by their participants and administrators. */
export const taskMethods: MethodTable = {
  /** `fields`: TITLE (required), DESCRIPTION, RESPONSIBLE_ID, CREATED_BY, DEADLINE, STATUS, PRIORITY, ACCOMPLICES, AUDITORS. */
  'tasks.task.add': {
    scopes: ['task'],
    handler: async (call) => {
      const { ctx, portal, auth } = call;
      const input = readFields(call.params);
      if (input.title === undefined) throw invalidArgument('fields[TITLE] is required: a task needs a title.');
      const createdBy = input.createdBy ?? auth.memberId;
      if (createdBy !== auth.memberId && auth.user.role !== 'admin') {
        throw denied('Only an administrator may create a task on behalf of another user.');
      }
      const now = ctx.now();
      const status = input.status ?? BITRIX_TASK_STATUS.pending;
      const task = await changeAndPublish(ctx, async (trx, events) => {
        await requireActiveMembers(trx, portal.id, input);
        const id = await insertTask(
          trx,
          {
            portal_id: portal.id,
            title: input.title as string,
            description: input.description ?? '',
            priority: input.priority ?? 1,
            created_by: createdBy,
            responsible_id: input.responsibleId ?? auth.memberId,
            deadline: input.deadline ?? null,
            created_at: now,
            changed_at: now,
            changed_by: auth.memberId,
            status,
            closed_at: null,
            closed_by: null,
            ...statusColumns(status, null, auth.memberId, now),
          },
          { accomplices: input.accomplices ?? [], auditors: input.auditors ?? [] },
        );
        const task = (await findTask(trx, portal.id, id)) as TaskRecord;
        const body = taskAdd(task, now);
        for (const memberId of await portalMembersAmong(trx, portal.id, participantsOf(task))) events.push({ memberId, body });
        return task;
      });
      return answerTask(call, task);
    },
  },

  /** `taskId`, `fields` as in add (only those given change; ACCOMPLICES and AUDITORS replace the lists). */
  'tasks.task.update': {
    scopes: ['task'],
    handler: async (call) => {
      const taskId = readTaskId(call.params);
      const input = readFields(call.params);
      const viewer = viewerOf(call.auth);
      return changeTask(call, taskId, async (trx, before) => {
        if (input.createdBy !== undefined && input.createdBy !== before.created_by && !canDelete(before, viewer)) {
          throw denied('Only the creator of a task or an administrator may hand it to another creator.');
        }
        await requireActiveMembers(trx, call.portal.id, input);
        if (Object.keys(input).length === 0) return null;
        return { columns: changedColumns(input, before, call.auth.memberId, call.ctx.now()), input };
      });
    },
  },

  /** `taskId`; `select` as in list. */
  'tasks.task.get': {
    scopes: ['task'],
    handler: async (call) => {
      const task = await visibleTask(call.ctx.db, call.portal.id, readTaskId(call.params), viewerOf(call.auth));
      return answerTask(call, task, readSelect(param(call.params, 'select')));
    },
  },

  /**
   * `filter` by the fields of TASK_FILTER_FIELDS with Bitrix24's operator prefixes, `order`
   * ({DEADLINE: 'asc'}), `select` (UPPER_CASE names; `*` or none for all), `params`
   * (WITH_TIMER_INFO, WITH_RESULT_INFO, WITH_PARSED_DESCRIPTION), 50 a page from `start`.
   */
  'tasks.task.list': {
    scopes: ['task'],
    handler: async (call) => {
      const terms = parseFilter(param(call.params, 'filter'), TASK_FILTER_FIELDS);
      for (const term of terms) {
        if ((term.field === 'ACCOMPLICE' || term.field === 'AUDITOR' || term.field === 'MEMBER') && term.op !== '=' && term.op !== '<>') {
          throw invalidArgument(`filter ${term.field} takes = or ! only.`);
        }
      }
      const sort = parseSort(undefined, param(call.params, 'order'), TASK_SORT_FIELDS, 'ID');
      const select = readSelect(param(call.params, 'select'));
      const additions = readListParams(call.params);
      const page = readPage(call.params);
      const viewer = viewerOf(call.auth);
      const { rows, total } = await listTasks(call.ctx.db, call.portal.id, {
        viewer,
        terms,
        sort,
        offset: page.offset,
        count: page.counted,
      });
      const people = await taskPeople(call.ctx.db, call.portal.id, namedPeople(rows));
      const now = call.ctx.now();
      const tasks = rows.map((row) => answeredTask(bitrixTask(row, people, viewer), row, viewer, now, select, additions));
      return { result: { tasks }, ...pageFields(page, total) };
    },
  },

  /** Sets status 5 (completed) and closedDate. */
  'tasks.task.complete': {
    scopes: ['task'],
    handler: async (call) =>
      changeTask(call, readTaskId(call.params), async (_trx, before) => {
        if (before.status === BITRIX_TASK_STATUS.completed) return null;
        const now = call.ctx.now();
        return {
          columns: {
            ...statusColumns(BITRIX_TASK_STATUS.completed, before.status, call.auth.memberId, now),
            changed_at: now,
            changed_by: call.auth.memberId,
          },
        };
      }),
  },

  /** Sets status 2 (pending) and clears closedDate. */
  'tasks.task.renew': {
    scopes: ['task'],
    handler: async (call) =>
      changeTask(call, readTaskId(call.params), async (_trx, before) => {
        if (before.status === BITRIX_TASK_STATUS.pending && before.closed_at === null) return null;
        const now = call.ctx.now();
        return {
          columns: {
            status: BITRIX_TASK_STATUS.pending,
            closed_at: null,
            closed_by: null,
            changed_at: now,
            changed_by: call.auth.memberId,
          },
        };
      }),
  },

  /** Only the creator and administrators delete; answers `{task: true}`. */
  'tasks.task.delete': {
    scopes: ['task'],
    handler: async (call) => {
      const taskId = readTaskId(call.params);
      const viewer = viewerOf(call.auth);
      await changeAndPublish(call.ctx, async (trx, events) => {
        const task = await visibleTask(trx, call.portal.id, taskId, viewer);
        if (!canDelete(task, viewer)) throw denied('Only the creator of a task or an administrator may delete it.');
        await deleteTask(trx, call.portal.id, taskId);
        const body = taskRemove(task, call.ctx.now());
        for (const memberId of await portalMembersAmong(trx, call.portal.id, participantsOf(task))) events.push({ memberId, body });
      });
      return { result: { task: true } };
    },
  },
};
