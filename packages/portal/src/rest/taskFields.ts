import { BITRIX_TASK_STATUS } from '@multidesk/protocol';
import type { TaskFilterField } from '../store/tasks.ts';
import { parseDateTime } from './dateTime.ts';
import { invalidArgument } from './envelope.ts';
import type { FieldKind } from './filter.ts';
import { toInteger } from './params.ts';

/** What `fields` of tasks.task.add / update ask for; absent means "leave as it is" (add: the default). */
export interface TaskInput {
  title?: string;
  description?: string;
  responsibleId?: number;
  createdBy?: number;
  /** Epoch ms, or null to clear. */
  deadline?: number | null;
  status?: number;
  priority?: number;
  accomplices?: number[];
  auditors?: number[];
}

export const TITLE_MAX = 250;
export const DESCRIPTION_MAX = 65_535;
const PEOPLE_MAX = 100;
const STATUSES: ReadonlySet<number> = new Set(Object.values(BITRIX_TASK_STATUS));

type Reader = (value: unknown, name: string) => TaskInput[keyof TaskInput];

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidArgument(`${name} must be a text.`);
  const result = String(value);
  if (result.length > max) throw invalidArgument(`${name} takes at most ${max} characters.`);
  return result;
}

function memberId(value: unknown, name: string): number {
  const id = toInteger(value, name);
  if (id <= 0) throw invalidArgument(`${name} must be a user ID.`);
  return id;
}

function memberIds(value: unknown, name: string): number[] {
  if (value === '' || value === null || value === undefined) return [];
  // PHP-style lists past the parser's array limit arrive as objects keyed by index.
  const list = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : [value];
  if (list.length > PEOPLE_MAX) throw invalidArgument(`${name} takes at most ${PEOPLE_MAX} users.`);
  return [...new Set(list.filter((v) => v !== '').map((v) => memberId(v, name)))];
}

/** Each field Bitrix24 names in UPPER_CASE, keyed without underscores so `responsibleId` reads too. */
const READERS: Record<string, [keyof TaskInput, string, Reader]> = {
  TITLE: [
    'title',
    'fields[TITLE]',
    (value, name) => {
      const title = text(value, name, TITLE_MAX).trim();
      if (title === '') throw invalidArgument(`${name} must not be empty: a task needs a title.`);
      return title;
    },
  ],
  DESCRIPTION: ['description', 'fields[DESCRIPTION]', (value, name) => text(value ?? '', name, DESCRIPTION_MAX)],
  RESPONSIBLEID: ['responsibleId', 'fields[RESPONSIBLE_ID]', memberId],
  CREATEDBY: ['createdBy', 'fields[CREATED_BY]', memberId],
  DEADLINE: [
    'deadline',
    'fields[DEADLINE]',
    (value, name) => {
      if (value === '' || value === null) return null;
      const ms = typeof value === 'string' && value.length <= 64 ? parseDateTime(value) : undefined;
      if (ms === undefined) throw invalidArgument(`${name} must be an ISO 8601 date-time, e.g. 2026-12-01T18:00:00+03:00, or empty.`);
      return ms;
    },
  ],
  STATUS: [
    'status',
    'fields[STATUS]',
    (value, name) => {
      const status = toInteger(value, name);
      // 1 (new) is what Bitrix24 now calls pending.
      if (status === 1) return BITRIX_TASK_STATUS.pending;
      if (!STATUSES.has(status)) throw invalidArgument(`${name} must be 2 (pending), 3 (in progress), 4, 5 (completed) or 6 (deferred).`);
      return status;
    },
  ],
  PRIORITY: [
    'priority',
    'fields[PRIORITY]',
    (value, name) => {
      const priority = toInteger(value, name);
      if (priority < 0 || priority > 2) throw invalidArgument(`${name} must be 0 (low), 1 (normal) or 2 (high).`);
      return priority;
    },
  ],
  ACCOMPLICES: ['accomplices', 'fields[ACCOMPLICES]', memberIds],
  AUDITORS: ['auditors', 'fields[AUDITORS]', memberIds],
};

/** Reads and checks `fields`; fields this portal does not know are ignored, as Bitrix24 does. */
export function readTaskFields(raw: unknown): TaskInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidArgument('fields must be an object of task fields, e.g. fields[TITLE]=…');
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const reader = READERS[key.toUpperCase().replace(/_/g, '')];
    if (!reader) continue;
    const [property, name, read] = reader;
    input[property] = read(value, name);
  }
  return input as TaskInput;
}

/** What tasks.task.list filters by, with Bitrix24's operator prefixes (`<DEADLINE`, `!STATUS`). */
export const TASK_FILTER_FIELDS: Readonly<Record<TaskFilterField, FieldKind>> = {
  ID: 'integer',
  TITLE: 'text',
  STATUS: 'integer',
  REAL_STATUS: 'integer',
  PRIORITY: 'integer',
  RESPONSIBLE_ID: 'integer',
  CREATED_BY: 'integer',
  CHANGED_BY: 'integer',
  CLOSED_BY: 'integer',
  DEADLINE: 'datetime',
  CREATED_DATE: 'datetime',
  CHANGED_DATE: 'datetime',
  CLOSED_DATE: 'datetime',
  ACCOMPLICE: 'integer',
  AUDITOR: 'integer',
  MEMBER: 'integer',
};
