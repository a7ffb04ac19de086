/**
 * Bitrix24's tasks as tasks.task.* answers them: camelCase fields, ids and numbers as strings,
 * dates as ISO 8601 with a time zone. `tasks.task.list` may leave out fields its `select` did not ask for.
 */

/** Bitrix24's task statuses (STATUS / REAL_STATUS). 1 (new) is read as 2. */
export const BITRIX_TASK_STATUS = {
  pending: 2,
  inProgress: 3,
  supposedlyCompleted: 4,
  completed: 5,
  deferred: 6,
} as const;

/** PRIORITY: 0 low, 1 normal, 2 high. */
export const BITRIX_TASK_PRIORITY = { low: 0, normal: 1, high: 2 } as const;

/** A person on a task as Bitrix24 shows the creator and the responsible. */
export interface BitrixTaskPerson {
  id: string;
  name: string;
  link: string;
  icon: string;
  workPosition: string;
}

export interface BitrixTask {
  id: string;
  groupId: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  createdBy: string;
  responsibleId: string;
  accomplices: string[];
  auditors: string[];
  /** ISO 8601, or null for no deadline. */
  deadline: string | null;
  createdDate: string;
  changedBy: string;
  changedDate: string;
  closedBy: string | null;
  closedDate: string | null;
  creator: BitrixTaskPerson;
  responsible: BitrixTaskPerson;
}

/** `tasks.task.add`, `.get`, `.update`, `.complete`, `.renew` answer `{task}`; `.delete` answers `{task: true}`. */
export interface BitrixTaskResult {
  task: Partial<BitrixTask> & { id: string };
}

/** `tasks.task.list` answers `{tasks}`; `total` and `next` sit beside `result`, as in every list. */
export interface BitrixTaskListResult {
  tasks: (Partial<BitrixTask> & { id: string })[];
}
