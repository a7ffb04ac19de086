import { REST_PAGE_SIZE } from '@multidesk/protocol';
import { type Expression, type ExpressionBuilder, type SqlBool, sql, type Updateable } from 'kysely';
import type { FilterTerm, SortDirection } from '../rest/filter.ts';
import { columnCondition } from './filterSql.ts';
import type { Database, Executor, NewTask, Task, TaskMemberTable, TaskTable } from './schema.ts';

export type TaskRole = TaskMemberTable['role'];

/** A task with its accomplices and auditors (member ids, ascending). */
export interface TaskRecord extends Task {
  accomplices: number[];
  auditors: number[];
}

export interface TaskPeople {
  accomplices: readonly number[];
  auditors: readonly number[];
}

/** Who is looking: a member of the portal, and whether they administer it (administrators see every task). */
export interface TaskViewer {
  memberId: number;
  admin: boolean;
}

/** Columns behind the fields tasks.task.list filters and sorts by. */
const COLUMNS = {
  ID: 'tasks.id',
  TITLE: 'tasks.title',
  STATUS: 'tasks.status',
  REAL_STATUS: 'tasks.status',
  PRIORITY: 'tasks.priority',
  RESPONSIBLE_ID: 'tasks.responsible_id',
  CREATED_BY: 'tasks.created_by',
  CHANGED_BY: 'tasks.changed_by',
  CLOSED_BY: 'tasks.closed_by',
  DEADLINE: 'tasks.deadline',
  CREATED_DATE: 'tasks.created_at',
  CHANGED_DATE: 'tasks.changed_at',
  CLOSED_DATE: 'tasks.closed_at',
} as const;

export type TaskColumnField = keyof typeof COLUMNS;
/** Filters on the people of a task: in that role, or (MEMBER) in any role. */
export type TaskPeopleField = 'ACCOMPLICE' | 'AUDITOR' | 'MEMBER';
export type TaskFilterField = TaskColumnField | TaskPeopleField;
export const TASK_SORT_FIELDS = Object.keys(COLUMNS) as TaskColumnField[];
const NULLABLE: ReadonlySet<TaskColumnField> = new Set(['DEADLINE', 'CLOSED_DATE', 'CLOSED_BY']);

export interface TaskQuery {
  viewer: TaskViewer;
  terms: FilterTerm<TaskFilterField>[];
  sort: { field: TaskColumnField; direction: SortDirection }[];
  offset: number;
  /** False for `start=-1`. */
  count: boolean;
}

type TaskScope = ExpressionBuilder<Database, 'tasks'>;

function inRole(eb: TaskScope, values: (string | number)[], role: TaskRole | null) {
  let people = eb.selectFrom('task_members').select('task_members.task_id').whereRef('task_members.task_id', '=', 'tasks.id');
  if (role) people = people.where('task_members.role', '=', role);
  return eb.exists(people.where('task_members.member_id', 'in', values as number[]));
}

function peopleCondition(eb: TaskScope, term: FilterTerm<TaskFilterField>): Expression<SqlBool> {
  const ids = term.values as number[];
  const found =
    term.field === 'MEMBER'
      ? eb.or([eb('tasks.created_by', 'in', ids), eb('tasks.responsible_id', 'in', ids), inRole(eb, ids, null)])
      : inRole(eb, ids, term.field === 'ACCOMPLICE' ? 'accomplice' : 'auditor');
  return term.op === '<>' ? eb.not(found) : found;
}

function condition(eb: TaskScope, term: FilterTerm<TaskFilterField>): Expression<SqlBool> {
  if (term.field === 'ACCOMPLICE' || term.field === 'AUDITOR' || term.field === 'MEMBER') return peopleCondition(eb, term);
  return columnCondition(eb.ref(COLUMNS[term.field]), term.field === 'TITLE', term);
}

/** Participants and administrators see a task; nobody else learns that it exists. */
function visibleTo(eb: TaskScope, viewer: TaskViewer): Expression<SqlBool> {
  if (viewer.admin) return sql<SqlBool>`1 = 1`;
  return eb.or([
    eb('tasks.created_by', '=', viewer.memberId),
    eb('tasks.responsible_id', '=', viewer.memberId),
    inRole(eb, [viewer.memberId], null),
  ]);
}

/** Accomplices and auditors of each task, by task id. */
async function peopleOfTasks(db: Executor, taskIds: number[]): Promise<Map<number, { accomplices: number[]; auditors: number[] }>> {
  const byTask = new Map(taskIds.map((id) => [id, { accomplices: [] as number[], auditors: [] as number[] }]));
  if (taskIds.length === 0) return byTask;
  const rows = await db
    .selectFrom('task_members')
    .select(['task_id', 'member_id', 'role'])
    .where('task_id', 'in', taskIds)
    .orderBy('member_id')
    .execute();
  for (const row of rows) {
    const people = byTask.get(row.task_id);
    if (people) (row.role === 'accomplice' ? people.accomplices : people.auditors).push(row.member_id);
  }
  return byTask;
}

async function withPeople(db: Executor, tasks: Task[]): Promise<TaskRecord[]> {
  const people = await peopleOfTasks(
    db,
    tasks.map((t) => t.id),
  );
  return tasks.map((task) => ({ ...task, ...(people.get(task.id) ?? { accomplices: [], auditors: [] }) }));
}

async function setPeople(db: Executor, taskId: number, role: TaskRole, memberIds: readonly number[]): Promise<void> {
  await db.deleteFrom('task_members').where('task_id', '=', taskId).where('role', '=', role).execute();
  const unique = [...new Set(memberIds)];
  if (unique.length > 0) {
    await db
      .insertInto('task_members')
      .values(unique.map((member_id) => ({ task_id: taskId, member_id, role })))
      .execute();
  }
}

export async function insertTask(db: Executor, task: NewTask, people: TaskPeople): Promise<number> {
  const { id } = await db.insertInto('tasks').values(task).returning('id').executeTakeFirstOrThrow();
  await setPeople(db, id, 'accomplice', people.accomplices);
  await setPeople(db, id, 'auditor', people.auditors);
  return id;
}

/** A task of this portal, whoever may see it: callers check access themselves. */
export async function findTask(db: Executor, portalId: number, taskId: number): Promise<TaskRecord | undefined> {
  const task = await db.selectFrom('tasks').selectAll().where('portal_id', '=', portalId).where('id', '=', taskId).executeTakeFirst();
  return task ? (await withPeople(db, [task]))[0] : undefined;
}

/** Changes the given columns and, when given, replaces the accomplices or auditors. */
export async function updateTask(
  db: Executor,
  portalId: number,
  taskId: number,
  changes: Updateable<TaskTable>,
  people: Partial<TaskPeople> = {},
): Promise<void> {
  if (Object.keys(changes).length > 0) {
    await db.updateTable('tasks').set(changes).where('portal_id', '=', portalId).where('id', '=', taskId).execute();
  }
  if (people.accomplices) await setPeople(db, taskId, 'accomplice', people.accomplices);
  if (people.auditors) await setPeople(db, taskId, 'auditor', people.auditors);
}

export async function deleteTask(db: Executor, portalId: number, taskId: number): Promise<void> {
  await db.deleteFrom('task_members').where('task_id', '=', taskId).execute();
  await db.deleteFrom('tasks').where('portal_id', '=', portalId).where('id', '=', taskId).execute();
}

/** A page of the tasks the viewer may see; ties are broken by ID so that pages never overlap. */
export async function listTasks(db: Executor, portalId: number, query: TaskQuery): Promise<{ rows: TaskRecord[]; total?: number }> {
  const where = (eb: TaskScope) => eb.and([visibleTo(eb, query.viewer), ...query.terms.map((term) => condition(eb, term))]);
  let rowsQuery = db.selectFrom('tasks').selectAll().where('tasks.portal_id', '=', portalId).where(where);
  for (const { field, direction } of query.sort) {
    const column = COLUMNS[field];
    // Tasks without a deadline (or not closed) come last either way, on SQLite and PostgreSQL alike.
    if (NULLABLE.has(field)) rowsQuery = rowsQuery.orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`);
    rowsQuery = rowsQuery.orderBy(column, direction);
  }
  if (!query.sort.some((s) => s.field === 'ID')) rowsQuery = rowsQuery.orderBy('tasks.id', 'asc');
  const rows = await withPeople(db, await rowsQuery.limit(REST_PAGE_SIZE).offset(query.offset).execute());
  if (!query.count) return { rows };
  const counted = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .where('tasks.portal_id', '=', portalId)
    .where(where)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(counted.n) };
}

export interface TaskPersonRow {
  id: number;
  name: string;
  last_name: string;
  work_position: string;
}

/** Names of the given members of the portal, for the creator and responsible of tasks. */
export async function taskPeople(db: Executor, portalId: number, memberIds: readonly number[]): Promise<Map<number, TaskPersonRow>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.id', 'users.name', 'users.last_name', 'members.work_position'])
    .where('members.portal_id', '=', portalId)
    .where('members.id', 'in', [...new Set(memberIds)])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}
