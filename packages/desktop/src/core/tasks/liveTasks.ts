import { BITRIX_TASK_STATUS, type BitrixTask as BitrixTaskShape, type TaskFilter } from '@multidesk/protocol';

/** What tasks.task.* answers may leave out when `select` is narrowed. */
export type BitrixTask = Pick<BitrixTaskShape, 'id'> & Partial<BitrixTaskShape>;

/** A list as its query names it: whose tasks, and which of them. */
export interface ListQuery {
  mine: boolean;
  filter: TaskFilter;
}

const keyOf = ({ mine, filter }: ListQuery) => `${mine ? 'mine' : 'all'}:${filter}`;

/**
 * Whether a task belongs in a list. Overdue is not kept: a task becomes overdue as time passes,
 * with no event to say so, so that list is always asked for.
 */
function belongs(task: BitrixTask, { mine, filter }: ListQuery, me: number): boolean {
  if (mine && Number(task.responsibleId) !== me) return false;
  const completed = Number(task.status) === BITRIX_TASK_STATUS.completed;
  return filter === 'all' || (filter === 'completed' ? completed : !completed);
}

interface AccountTasks {
  lists: Map<string, { query: ListQuery; tasks: BitrixTask[]; at: number }>;
  /** Counts the changes applied: a fetch that overlapped one is not kept (it may predate it). */
  epoch: number;
}

/**
 * The task lists the core holds of each account while its link is live, as fetched, then changed in
 * place when a task changes: one `tasks.task.get` for the task an event names (or the answer to the
 * user's own change) instead of fetching every list again. Forgotten when the link comes back
 * without replaying what it missed.
 */
export class LiveTasks {
  readonly #accounts = new Map<string, AccountTasks>();

  static keeps(query: ListQuery): boolean {
    return query.filter !== 'overdue';
  }

  #of(id: string): AccountTasks {
    let account = this.#accounts.get(id);
    if (!account) {
      account = { lists: new Map(), epoch: 0 };
      this.#accounts.set(id, account);
    }
    return account;
  }

  forget(id: string): void {
    this.#accounts.delete(id);
  }

  /** The account has lists kept: a change is worth applying here. */
  holds(id: string): boolean {
    return (this.#accounts.get(id)?.lists.size ?? 0) > 0;
  }

  list(id: string, query: ListQuery): { tasks: BitrixTask[]; at: number } | null {
    return this.#accounts.get(id)?.lists.get(keyOf(query)) ?? null;
  }

  /** Before a fetch: the mark `keep` checks. */
  mark(id: string): number {
    return this.#of(id).epoch;
  }

  keep(id: string, mark: number, query: ListQuery, tasks: BitrixTask[], at: number): void {
    const account = this.#of(id);
    if (LiveTasks.keeps(query) && account.epoch === mark) account.lists.set(keyOf(query), { query, tasks, at });
  }

  /** The task as it now is, or null when it is gone (deleted, or no longer visible to the user). */
  apply(id: string, taskId: number, task: BitrixTask | null, me: number, at: number): void {
    const account = this.#of(id);
    account.epoch++;
    for (const [key, kept] of account.lists) {
      const others = kept.tasks.filter((t) => Number(t.id) !== taskId);
      const tasks = task && belongs(task, kept.query, me) ? [...others, task] : others;
      account.lists.set(key, { ...kept, tasks, at });
    }
  }
}
