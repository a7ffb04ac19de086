import { BITRIX_TASK_STATUS, type BitrixTask } from '@multidesk/protocol';
import type { TaskRecord, TaskViewer } from '../store/tasks.ts';
import { isTruthy, param, type RestParams } from './params.ts';

/** `select` names as compared: UPPER_CASE without underscores, so `subStatus` reads as SUB_STATUS. */
const nameOf = (text: string) => text.trim().toUpperCase().replace(/_/g, '');

const UF: (keyof BitrixTask)[] = ['ufCrmTask', 'ufTaskWebdavFiles', 'ufMailMessage'];
/** Names that bring more than the key of their own name (any system UF field brings the three). */
const BRINGS: Record<string, (keyof BitrixTask)[]> = {
  CREATEDBY: ['creator'],
  RESPONSIBLEID: ['responsible'],
  ACCOMPLICES: ['accomplicesData'],
  AUDITORS: ['auditorsData'],
  REALSTATUS: ['status'],
  DEADLINE: ['lengthDeadline'],
  COUNTERS: ['counter'],
  UFCRMTASK: UF,
  UFTASKWEBDAVFILES: UF,
  UFMAILMESSAGE: UF,
};
/** What a narrowed answer has whatever `select` names, as in Bitrix24's. */
const ALWAYS: ReadonlySet<string> = new Set(['id', 'descriptionInBbcode', 'favorite', 'group', 'action']);
const SELECT_MAX = 100;

/** The keys `select` asks for; null for all (`*`, nothing, an empty list). Names this portal does not know are ignored, as Bitrix24 does. */
export function readSelect(raw: unknown): ReadonlySet<string> | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const names = Array.isArray(raw) ? raw : typeof raw === 'object' ? Object.values(raw) : [raw];
  if (names.length === 0) return null;
  const keys = new Set(ALWAYS);
  for (const name of names.slice(0, SELECT_MAX)) {
    if (typeof name !== 'string') continue;
    const wanted = nameOf(name);
    if (wanted === '*') return null;
    keys.add(wanted);
    for (const key of BRINGS[wanted] ?? []) keys.add(key);
  }
  return keys;
}

/** tasks.task.list's `params`: which of Bitrix24's additions each task gets. */
export interface TaskListParams {
  timer: boolean;
  result: boolean;
  parsedDescription: boolean;
}

const isParams = (value: unknown): value is RestParams => value !== null && typeof value === 'object' && !Array.isArray(value);

export function readListParams(params: RestParams): TaskListParams {
  const raw = param(params, 'params');
  const given = isParams(raw) ? raw : {};
  const flag = (name: string) => isTruthy(param(given, name));
  return { timer: flag('WITH_TIMER_INFO'), result: flag('WITH_RESULT_INFO'), parsedDescription: flag('WITH_PARSED_DESCRIPTION') };
}

const overdue = (task: TaskRecord, viewer: TaskViewer, now: number) =>
  task.deadline !== null &&
  task.deadline < now &&
  task.status !== BITRIX_TASK_STATUS.completed &&
  (task.responsible_id === viewer.memberId || task.accomplices.includes(viewer.memberId));

/**
 * What only `select` brings. The portal has no CRM, files, mail, tags or comments: those are empty.
 * SUB_STATUS is the status, or -1 while the task is overdue for the viewer (Bitrix24's "expired").
 */
function selectOnly(task: TaskRecord, viewer: TaskViewer, now: number): Partial<BitrixTask> {
  const expired = overdue(task, viewer, now) ? 1 : 0;
  return {
    ufCrmTask: [],
    ufTaskWebdavFiles: [],
    ufMailMessage: null,
    subStatus: expired ? '-1' : String(task.status),
    tags: [],
    counter: {
      counters: { expired, newComments: 0, projectExpired: 0, projectNewComments: 0, mutedExpired: 0, mutedNewComments: 0 },
      color: expired ? 'red' : 'gray',
      value: expired,
    },
    lengthDeadline: task.deadline === null ? '0' : '1',
  };
}

/** The task as asked for: every key, or those `select` names; with tasks.task.list's `params` additions. */
export function answeredTask(
  full: BitrixTask,
  task: TaskRecord,
  viewer: TaskViewer,
  now: number,
  select: ReadonlySet<string> | null,
  list?: TaskListParams,
): Partial<BitrixTask> & { id: string } {
  const additions: Partial<BitrixTask> = {
    ...(list?.timer ? { timeElapsed: null, timerIsRunningForCurrentUser: 'N' } : {}),
    ...(list?.result ? { taskRequireResult: 'N', taskHasOpenResult: 'N', taskHasResult: 'N' } : {}),
    ...(list?.parsedDescription ? { parsedDescription: full.description } : {}),
  };
  if (!select) return { ...full, ...additions };
  const every: Partial<BitrixTask> = { ...full, ...selectOnly(task, viewer, now) };
  const chosen = Object.entries(every).filter(([key]) => select.has(key) || select.has(nameOf(key)));
  return { ...Object.fromEntries(chosen), ...additions, id: full.id };
}
