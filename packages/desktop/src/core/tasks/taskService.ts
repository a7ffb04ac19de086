import { EventEmitter } from 'node:events';
import {
  BITRIX_TASK_STATUS,
  type MyTasksRequest,
  type MyTasksView,
  type Person,
  type PortalProblem,
  type TaskFields,
  type TaskFilter,
  type TaskRef,
  type TaskResult,
  type TaskStatus,
  type TasksRequest,
  type TasksView,
  type TaskView,
} from '@multidesk/protocol';
import type { AccountAccess, AccountManager } from '../accounts/accountManager.ts';
import { requestFailure, savedCopyReason } from '../accounts/accountProblems.ts';
import type { HomeService } from '../home/homeService.ts';
import { type PortalSession, RestCallError } from '../portal/portalSession.ts';
import { type BitrixTask, LiveTasks } from './liveTasks.ts';

/** Bitrix24's status numbers as the UI names them; 1 (new) reads as pending. */
const STATUS: Record<string, TaskStatus> = {
  '1': 'pending',
  [BITRIX_TASK_STATUS.pending]: 'pending',
  [BITRIX_TASK_STATUS.inProgress]: 'in_progress',
  [BITRIX_TASK_STATUS.supposedlyCompleted]: 'awaiting_control',
  [BITRIX_TASK_STATUS.completed]: 'completed',
  [BITRIX_TASK_STATUS.deferred]: 'deferred',
};
const COMPLETED = BITRIX_TASK_STATUS.completed;
/** Tasks shown per list: enough for a person's work; paging stops there. */
const MAX_TASKS = 500;

/** '' for someone not among the account's people: the windows say "User 12" in their language. */
function personName(people: Person[], id: number): string {
  const person = people.find((p) => p.id === id);
  return person ? `${person.name} ${person.lastName}`.trim() : '';
}

export function toTaskView(task: BitrixTask, people: Person[], now: number): TaskView {
  const status = STATUS[String(task.status ?? '2')] ?? 'pending';
  const deadline = task.deadline || null;
  const responsibleId = Number(task.responsibleId ?? 0);
  const createdBy = Number(task.createdBy ?? 0);
  return {
    id: Number(task.id),
    title: task.title ?? '',
    description: task.description ?? '',
    status,
    priority: Math.min(2, Math.max(0, Number(task.priority ?? 1))),
    deadline,
    responsibleId,
    responsibleName: personName(people, responsibleId),
    createdBy,
    createdByName: personName(people, createdBy),
    closedDate: task.closedDate || null,
    overdue: status !== 'completed' && deadline !== null && Date.parse(deadline) < now,
  };
}

/** Overdue first, then by deadline (soonest first, none last), then newest. */
export function byUrgency(a: TaskView, b: TaskView): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.deadline ? Date.parse(a.deadline) : Number.POSITIVE_INFINITY;
  const db = b.deadline ? Date.parse(b.deadline) : Number.POSITIVE_INFINITY;
  return da !== db ? da - db : b.id - a.id;
}

function listFilter(userId: number, mine: boolean, filter: TaskFilter, now: number): Record<string, unknown> {
  const base: Record<string, unknown> = mine ? { RESPONSIBLE_ID: userId } : {};
  switch (filter) {
    case 'in_progress':
      return { ...base, '!STATUS': COMPLETED };
    case 'completed':
      return { ...base, STATUS: COMPLETED };
    case 'overdue':
      return { ...base, '!STATUS': COMPLETED, '<DEADLINE': new Date(now).toISOString() };
    case 'all':
      return base;
  }
}

function toBitrixFields(fields: Partial<TaskFields>): Record<string, unknown> {
  return {
    ...(fields.title !== undefined ? { TITLE: fields.title } : {}),
    ...(fields.description !== undefined ? { DESCRIPTION: fields.description } : {}),
    ...(fields.responsibleId !== undefined ? { RESPONSIBLE_ID: fields.responsibleId } : {}),
    ...(fields.deadline !== undefined ? { DEADLINE: fields.deadline ?? '' } : {}),
    ...(fields.priority !== undefined ? { PRIORITY: fields.priority } : {}),
  };
}

/**
 * Tasks of every account through Bitrix24's tasks.task.* methods: each account's lists cached so a
 * restart shows them at once, and the cross-account My tasks built from every connected account in
 * parallel, where one unreachable portal only marks its own group stale.
 */
export class TaskService extends EventEmitter<{ changed: [accountId: string] }> {
  readonly #manager: AccountManager;
  readonly #home: HomeService;
  readonly #now: () => number;
  /** Lists fetched from their portal during this run. */
  readonly #fetched = new Set<string>();
  /** The lists served while the account is live, kept in step with its task events. */
  readonly #live = new LiveTasks();

  constructor(manager: AccountManager, home: HomeService, now: () => number = Date.now) {
    super();
    this.#manager = manager;
    this.#home = home;
    this.#now = now;
    manager.on('realtime', (id, change) => {
      if (change.kind === 'task-changed') void this.#taskChanged(id, change.taskId);
    });
    manager.on('stale', (id) => {
      this.#live.forget(id);
      this.emit('changed', id);
    });
  }

  /** A task changed on the portal: the one task is asked for and the lists kept take it in; lists shown reload from them. */
  async #taskChanged(id: string, taskId: number): Promise<void> {
    const account = this.#manager.access(id);
    const session = account.session;
    if (session && this.#live.holds(id)) {
      try {
        const answer = await session.call<{ task: BitrixTask }>('tasks.task.get', { taskId }, { priority: 'background' });
        this.#live.apply(id, taskId, answer.result.task ?? null, account.view.userId, this.#now());
      } catch (error) {
        // Deleted, or no longer the user's to see: it leaves every list. Anything else: ask for the lists again.
        if (error instanceof RestCallError && error.status < 500) this.#live.apply(id, taskId, null, account.view.userId, this.#now());
        else this.#live.forget(id);
      }
    }
    this.emit('changed', id);
  }

  async list(request: TasksRequest): Promise<TasksView> {
    const account = this.#manager.access(request.id);
    const mine = request.mine ?? true;
    const filter = request.filter ?? 'in_progress';
    const query = { mine, filter };
    // Kept while the link is live and the portal answers; asked again on Refresh, or once a request has failed.
    const trusted = !request.refresh && account.session && !account.view.problem && this.#manager.isLive(request.id);
    const kept = trusted ? this.#live.list(request.id, query) : null;
    if (kept) return { tasks: this.#views(account, kept.tasks), stale: false, fetchedAt: kept.at };
    const key = `tasks:${mine ? 'mine' : 'all'}:${filter}`;
    const cached = account.cache.get<BitrixTask[]>(key);
    const fetch = async () => {
      const mark = this.#live.mark(request.id);
      const tasks = await this.#fetchList(account, listFilter(account.view.userId, mine, filter, this.#now()));
      if (this.#manager.isLive(request.id)) this.#live.keep(request.id, mark, query, tasks, this.#now());
      return tasks;
    };
    const freshKey = `${request.id}:${key}`;
    // The first look at a list after a start shows the saved copy at once and refreshes behind it;
    // windows hear of the fresh copy through tasks-changed.
    if (account.session && cached && !this.#fetched.has(freshKey)) {
      this.#fetched.add(freshKey);
      void fetch().then(
        (tasks) => {
          account.cache.put(key, tasks, this.#now());
          account.reportSuccess();
          this.emit('changed', request.id);
        },
        (error) => account.reportProblem(error),
      );
      return { tasks: this.#views(account, cached.value), stale: true, fetchedAt: cached.updatedAt, problem: { code: 'updating' } };
    }
    let problem: PortalProblem | undefined;
    if (account.session) {
      try {
        const tasks = await fetch();
        account.cache.put(key, tasks, this.#now());
        this.#fetched.add(freshKey);
        account.reportSuccess();
        return { tasks: this.#views(account, tasks), stale: false, fetchedAt: this.#now() };
      } catch (error) {
        problem = account.reportProblem(error);
      }
    }
    const why = savedCopyReason(account.view, problem);
    return {
      tasks: this.#views(account, cached?.value ?? []),
      stale: true,
      fetchedAt: cached?.updatedAt ?? null,
      ...(why ? { problem: why } : {}),
    };
  }

  async #fetchList(account: AccountAccess, filter: Record<string, unknown>): Promise<BitrixTask[]> {
    const session = account.session;
    if (!session) return [];
    const tasks: BitrixTask[] = [];
    for (let start = 0; tasks.length < MAX_TASKS; ) {
      const page = await session.call<{ tasks: BitrixTask[] }>('tasks.task.list', {
        filter,
        order: { DEADLINE: 'asc', ID: 'desc' },
        start,
      });
      tasks.push(...page.result.tasks);
      if (page.next === undefined) break;
      start = page.next;
    }
    return tasks;
  }

  #views(account: AccountAccess, tasks: BitrixTask[]): TaskView[] {
    const people = this.#home.people(account.view.id);
    const now = this.#now();
    return tasks.map((t) => toTaskView(t, people, now)).sort(byUrgency);
  }

  get({ id, taskId }: TaskRef): Promise<TaskResult> {
    return this.#act(id, 'tasks.task.get', { taskId });
  }

  create({ id, fields }: { id: string; fields: TaskFields }): Promise<TaskResult> {
    const account = this.#manager.access(id);
    return this.#act(id, 'tasks.task.add', { fields: { RESPONSIBLE_ID: account.view.userId, ...toBitrixFields(fields) } });
  }

  update({ id, taskId, fields }: { id: string; taskId: number; fields: Partial<TaskFields> }): Promise<TaskResult> {
    return this.#act(id, 'tasks.task.update', { taskId, fields: toBitrixFields(fields) });
  }

  complete({ id, taskId }: TaskRef): Promise<TaskResult> {
    return this.#act(id, 'tasks.task.complete', { taskId });
  }

  renew({ id, taskId }: TaskRef): Promise<TaskResult> {
    return this.#act(id, 'tasks.task.renew', { taskId });
  }

  /** One task call; a change is followed by a fresh get, so the answer always has every field. */
  async #act(id: string, method: string, params: Record<string, unknown>): Promise<TaskResult> {
    const account = this.#manager.access(id);
    if (!account.session) return { ok: false, error: 'not_connected', message: `${account.view.portalTitle} is not connected.` };
    try {
      // A change and the fresh get in one request where the task is known; a new task's id comes from the add.
      const fresh =
        method === 'tasks.task.get' || params.taskId === undefined
          ? await this.#changeThenGet(account.session, method, params)
          : (
              await account.session.batch<{ change: unknown; task: { task: BitrixTask } }>({
                change: [method, params],
                task: ['tasks.task.get', { taskId: params.taskId }],
              })
            ).task;
      account.reportSuccess();
      // The lists kept take the change in now: a list reloaded right after shows it, before the portal's event comes.
      if (this.#live.holds(id)) this.#live.apply(id, Number(fresh.result.task.id), fresh.result.task, account.view.userId, this.#now());
      return { ok: true, task: toTaskView(fresh.result.task, this.#home.people(id), this.#now()) };
    } catch (error) {
      if (error instanceof RestCallError) return { ok: false, error: error.code, message: error.message };
      return requestFailure(account.reportProblem(error));
    }
  }

  async #changeThenGet(session: PortalSession, method: string, params: Record<string, unknown>) {
    const answer = await session.call<{ task: BitrixTask }>(method, params);
    if (method === 'tasks.task.get') return answer;
    return session.call<{ task: BitrixTask }>('tasks.task.get', { taskId: Number(answer.result.task?.id) });
  }

  /** Every connected account's open tasks, asked in parallel; disconnected accounts are left out. */
  async myTasks({ refresh }: MyTasksRequest = {}): Promise<MyTasksView> {
    const connected = this.#manager.list().filter((a) => a.state === 'connected');
    const groups = await Promise.all(
      connected.map(async (account) => {
        const view = await this.list({ id: account.id, mine: true, filter: 'in_progress', ...(refresh ? { refresh } : {}) });
        return {
          accountId: account.id,
          portalTitle: account.portalTitle,
          userName: account.userName,
          tasks: view.tasks,
          stale: view.stale,
          fetchedAt: view.fetchedAt,
          ...(view.problem ? { problem: view.problem } : {}),
        };
      }),
    );
    return { groups };
  }
}
