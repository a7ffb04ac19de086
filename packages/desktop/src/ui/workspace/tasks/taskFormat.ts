import type { TaskStatus, TaskView } from '@multidesk/protocol/bridge';
import { dateTimeFormat, relativeTimeFormat } from '../../i18n/formatters.ts';
import { t } from '../../i18n/i18n.ts';

/** How a task list is ordered: the core's order (overdue, then soonest deadline), or high priority first. */
export type TaskSort = 'deadline' | 'priority';

/** Low, normal, high. */
export const PRIORITIES = [0, 1, 2] as const;

export function priorityLabel(priority: number): string {
  if (priority === 0) return t('task.priorityLow');
  if (priority === 2) return t('task.priorityHigh');
  return t('task.priorityNormal');
}

export function statusLabel(status: TaskStatus): string {
  switch (status) {
    case 'pending':
      return t('task.statusPending');
    case 'in_progress':
      return t('task.statusInProgress');
    case 'awaiting_control':
      return t('task.statusAwaiting');
    case 'completed':
      return t('task.statusCompleted');
    case 'deferred':
      return t('task.statusDeferred');
  }
}

export const isOpen = (task: TaskView): boolean => task.status !== 'completed';

const deadlineMs = (task: TaskView): number => (task.deadline ? Date.parse(task.deadline) : Number.POSITIVE_INFINITY);

/** Overdue first, then by deadline (soonest first, none last), then newest: the core's order, for merged lists. */
export function byUrgency(a: TaskView, b: TaskView): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = deadlineMs(a);
  const db = deadlineMs(b);
  return da !== db ? da - db : b.id - a.id;
}

export function sortTasks<T>(items: readonly T[], sort: TaskSort, taskOf: (item: T) => TaskView): T[] {
  const compare =
    sort === 'priority'
      ? (a: T, b: T) => taskOf(b).priority - taskOf(a).priority || byUrgency(taskOf(a), taskOf(b))
      : (a: T, b: T) => byUrgency(taskOf(a), taskOf(b));
  return [...items].sort(compare);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['week', 7 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['year', 365 * 86_400_000],
];

/** "in 3 days", "2 hours ago", "tomorrow": the largest unit that fits, rounded. */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return diff < 0 ? t('time.justNow') : t('time.inAMinute');
  let [unit, size] = UNITS[0] as [Intl.RelativeTimeFormatUnit, number];
  for (const [u, s] of UNITS) {
    // Switch to a unit once at least one whole of it (two for weeks and months reads better).
    const enough = u === 'week' || u === 'month' ? 2 * s : s;
    if (abs >= enough) [unit, size] = [u, s];
  }
  return relativeTimeFormat().format(Math.round(diff / size), unit);
}

/** "12 May 2026, 14:30" in the chosen language and the user's time zone. */
export function absoluteTime(at: number): string {
  return dateTimeFormat('dateTime').format(at);
}

export interface DeadlineText {
  relative: string;
  absolute: string;
  overdue: boolean;
}

export function deadlineText(task: TaskView, now: number): DeadlineText | null {
  if (!task.deadline) return null;
  const at = Date.parse(task.deadline);
  if (Number.isNaN(at)) return { relative: task.deadline, absolute: task.deadline, overdue: task.overdue };
  // The core decided at fetch time; a list left open keeps counting.
  const overdue = task.overdue || (isOpen(task) && at < now);
  return { relative: relativeTime(at, now), absolute: absoluteTime(at), overdue };
}

const pad = (n: number): string => String(n).padStart(2, '0');

export type DeadlineInput = { ok: true; iso: string | null } | { ok: false };

/**
 * A `datetime-local` value ("2026-05-12T14:30") as ISO 8601 with the local offset at that moment
 * ("2026-05-12T14:30:00+02:00"); an empty value is no deadline.
 */
export function deadlineToIso(local: string): DeadlineInput {
  if (local.trim() === '') return { ok: true, iso: null };
  const date = new Date(local);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local) || Number.isNaN(date.getTime())) return { ok: false };
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return { ok: true, iso: `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}` };
}

/** An ISO 8601 deadline as a `datetime-local` value in the local time zone; '' for none. */
export function isoToDeadlineInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
