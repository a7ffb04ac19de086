import type { BitrixTask, BitrixTaskPerson } from '@multidesk/protocol';
import type { TaskPersonRow, TaskRecord } from '../store/tasks.ts';
import { isoDateTime } from './envelope.ts';

const DEFAULT_ICON = '/bitrix/images/tasks/default_avatar.png';

function person(id: number, people: ReadonlyMap<number, TaskPersonRow>): BitrixTaskPerson {
  const row = people.get(id);
  return {
    id: String(id),
    name: row ? `${row.name} ${row.last_name}`.trim() : '',
    link: `/company/personal/user/${id}/`,
    icon: DEFAULT_ICON,
    workPosition: row?.work_position ?? '',
  };
}

const date = (ms: number | null) => (ms === null ? null : isoDateTime(ms));

/** A task as Bitrix24's tasks.task.* answer it: camelCase, ids and numbers as strings. */
export function bitrixTask(task: TaskRecord, people: ReadonlyMap<number, TaskPersonRow>): BitrixTask {
  return {
    id: String(task.id),
    groupId: '0',
    title: task.title,
    description: task.description,
    status: String(task.status),
    priority: String(task.priority),
    createdBy: String(task.created_by),
    responsibleId: String(task.responsible_id),
    accomplices: task.accomplices.map(String),
    auditors: task.auditors.map(String),
    deadline: date(task.deadline),
    createdDate: isoDateTime(task.created_at),
    changedBy: String(task.changed_by),
    changedDate: isoDateTime(task.changed_at),
    closedBy: task.closed_by === null ? null : String(task.closed_by),
    closedDate: date(task.closed_at),
    creator: person(task.created_by, people),
    responsible: person(task.responsible_id, people),
  };
}

/** The member ids whose names a page of tasks shows. */
export function namedPeople(tasks: readonly TaskRecord[]): number[] {
  return [...new Set(tasks.flatMap((t) => [t.created_by, t.responsible_id]))];
}

/** `select` names (UPPER_CASE) and the answer's keys each brings; `id` always comes. */
const SELECTABLE: Record<string, (keyof BitrixTask)[]> = {
  ID: ['id'],
  GROUP_ID: ['groupId'],
  TITLE: ['title'],
  DESCRIPTION: ['description'],
  STATUS: ['status'],
  REAL_STATUS: ['status'],
  PRIORITY: ['priority'],
  CREATED_BY: ['createdBy', 'creator'],
  RESPONSIBLE_ID: ['responsibleId', 'responsible'],
  ACCOMPLICES: ['accomplices'],
  AUDITORS: ['auditors'],
  DEADLINE: ['deadline'],
  CREATED_DATE: ['createdDate'],
  CHANGED_BY: ['changedBy'],
  CHANGED_DATE: ['changedDate'],
  CLOSED_BY: ['closedBy'],
  CLOSED_DATE: ['closedDate'],
};
const SELECT_MAX = 100;

/**
 * `select` as a list of UPPER_CASE field names; `*`, nothing or an empty list select everything.
 * Names this portal does not know are ignored, as Bitrix24 does. Returns the answer's keys, or null for all.
 */
export function readSelect(raw: unknown): ReadonlySet<keyof BitrixTask> | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const names = Array.isArray(raw) ? raw : typeof raw === 'object' ? Object.values(raw) : [raw];
  if (names.length === 0) return null;
  const keys = new Set<keyof BitrixTask>(['id']);
  for (const name of names.slice(0, SELECT_MAX)) {
    if (typeof name !== 'string') continue;
    const upper = name.trim().toUpperCase();
    if (upper === '*') return null;
    for (const key of SELECTABLE[upper] ?? []) keys.add(key);
  }
  return keys;
}

export function selectFields(task: BitrixTask, keys: ReadonlySet<keyof BitrixTask> | null): Partial<BitrixTask> & { id: string } {
  if (!keys) return task;
  return Object.fromEntries(Object.entries(task).filter(([key]) => keys.has(key as keyof BitrixTask))) as Partial<BitrixTask> & {
    id: string;
  };
}
