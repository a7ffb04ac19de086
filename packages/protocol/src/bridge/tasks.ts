import { type Static, Type } from 'typebox';
import { AccountId, SavedCopyReason } from './accounts.ts';

/** Tasks of each account, and My tasks across them. */

export const TaskStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_progress'),
  Type.Literal('awaiting_control'),
  Type.Literal('completed'),
  Type.Literal('deferred'),
]);
export type TaskStatus = Static<typeof TaskStatus>;

export const TaskView = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  status: TaskStatus,
  /** 0 low, 1 normal, 2 high (Bitrix24's PRIORITY). */
  priority: Type.Integer({ minimum: 0, maximum: 2 }),
  /** ISO 8601 with time zone, or null. */
  deadline: Type.Union([Type.String(), Type.Null()]),
  responsibleId: Type.Integer(),
  /** '' for someone not among the account's people (a window says "User <id>" in its language); so is createdByName. */
  responsibleName: Type.String(),
  createdBy: Type.Integer(),
  createdByName: Type.String(),
  closedDate: Type.Union([Type.String(), Type.Null()]),
  /** Open and past its deadline (computed by the core when the list was fetched). */
  overdue: Type.Boolean(),
});
export type TaskView = Static<typeof TaskView>;

export const TaskFilter = Type.Union([
  Type.Literal('in_progress'),
  Type.Literal('completed'),
  Type.Literal('overdue'),
  Type.Literal('all'),
]);
export type TaskFilter = Static<typeof TaskFilter>;

export const TasksRequest = Type.Object({
  id: AccountId,
  /** Mine (the tasks the user is responsible for, Bitrix24's "Doing") is the default; false lists every task visible to the user. */
  mine: Type.Optional(Type.Boolean()),
  filter: Type.Optional(TaskFilter),
  /** The user asked to refresh: the portal is asked, not the list the core keeps in step with it. */
  refresh: Type.Optional(Type.Boolean()),
});
export type TasksRequest = Static<typeof TasksRequest>;

export const MyTasksRequest = Type.Object({ refresh: Type.Optional(Type.Boolean()) });
export type MyTasksRequest = Static<typeof MyTasksRequest>;

export const TasksView = Type.Object({
  tasks: Type.Array(TaskView),
  stale: Type.Boolean(),
  fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  problem: Type.Optional(SavedCopyReason),
});
export type TasksView = Static<typeof TasksView>;

export const TaskRef = Type.Object({ id: AccountId, taskId: Type.Integer({ minimum: 1 }) });
export type TaskRef = Static<typeof TaskRef>;

export const TaskFields = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 250 }),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  responsibleId: Type.Optional(Type.Integer({ minimum: 1 })),
  /** ISO 8601 date-time with time zone, or null to clear. */
  deadline: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
});
export type TaskFields = Static<typeof TaskFields>;

export const TaskCreateRequest = Type.Object({ id: AccountId, fields: TaskFields });
export const TaskUpdateRequest = Type.Object({
  id: AccountId,
  taskId: Type.Integer({ minimum: 1 }),
  fields: Type.Partial(TaskFields),
});

export const TaskResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), task: TaskView }),
  Type.Object({ ok: Type.Literal(false), error: Type.String(), message: Type.String() }),
]);
export type TaskResult = Static<typeof TaskResult>;

/** One account's open tasks in the cross-account My tasks. */
export const MyTasksGroup = Type.Object({
  accountId: Type.String(),
  portalTitle: Type.String(),
  userName: Type.String(),
  tasks: Type.Array(TaskView),
  stale: Type.Boolean(),
  /** When the tasks shown were fetched (epoch ms): with `stale`, the age of the saved copy. */
  fetchedAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  problem: Type.Optional(SavedCopyReason),
});
export const MyTasksView = Type.Object({ groups: Type.Array(MyTasksGroup) });
export type MyTasksView = Static<typeof MyTasksView>;
