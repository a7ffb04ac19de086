import { REST_PAGE_SIZE } from '@multidesk/protocol';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { columnCondition } from '../store/filterSql.ts';
import type { Database, Executor } from '../store/schema.ts';
import { isoDateTime } from './envelope.ts';
import type { FieldKind, FilterTerm, SortDirection } from './filter.ts';

/** The user fields user.get filters and sorts by, and the column behind each. */
const COLUMNS = {
  ID: 'members.id',
  ACTIVE: 'members.active',
  EMAIL: 'users.email',
  NAME: 'users.name',
  LAST_NAME: 'users.last_name',
  WORK_POSITION: 'members.work_position',
  DATE_REGISTER: 'members.created_at',
} as const;

export type UserField = keyof typeof COLUMNS;
export type UserFilterField = Exclude<UserField, 'DATE_REGISTER'>;

export const USER_FILTER_FIELDS: Readonly<Record<UserFilterField, FieldKind>> = {
  ID: 'integer',
  ACTIVE: 'boolean',
  EMAIL: 'text',
  NAME: 'text',
  LAST_NAME: 'text',
  WORK_POSITION: 'text',
};

export const USER_SORT_FIELDS = Object.keys(COLUMNS) as UserField[];

type MemberScope = ExpressionBuilder<Database, 'members' | 'users'>;

function condition(eb: MemberScope, term: FilterTerm<UserFilterField>): Expression<SqlBool> {
  return columnCondition(eb.ref(COLUMNS[term.field]), USER_FILTER_FIELDS[term.field] === 'text', term);
}

export interface PortalUserRow {
  id: number;
  active: number;
  role: 'admin' | 'user';
  work_position: string;
  created_at: number;
  email: string;
  name: string;
  last_name: string;
}

function membersOf(db: Executor, portalId: number) {
  return db.selectFrom('members').innerJoin('users', 'users.id', 'members.user_id').where('members.portal_id', '=', portalId);
}

const ROW_COLUMNS = [
  'members.id',
  'members.active',
  'members.role',
  'members.work_position',
  'members.created_at',
  'users.email',
  'users.name',
  'users.last_name',
] as const;

/** One member of the portal with their network account; never a member of another portal. */
export async function findPortalUser(db: Executor, portalId: number, memberId: number): Promise<PortalUserRow | undefined> {
  return membersOf(db, portalId).select(ROW_COLUMNS).where('members.id', '=', memberId).executeTakeFirst();
}

/** Members of the portal among `memberIds`; ids of other portals are simply absent. */
export function findPortalUsers(db: Executor, portalId: number, memberIds: number[]): Promise<PortalUserRow[]> {
  return membersOf(db, portalId).select(ROW_COLUMNS).where('members.id', 'in', memberIds).execute();
}

export interface UserQuery {
  terms: FilterTerm<UserFilterField>[];
  sort: { field: UserField; direction: SortDirection }[];
  offset: number;
  /** False for `start=-1`. */
  count: boolean;
}

/** A page of the portal's members; ties are broken by ID so that pages never overlap. */
export async function listPortalUsers(
  db: Executor,
  portalId: number,
  query: UserQuery,
): Promise<{ rows: PortalUserRow[]; total?: number }> {
  const where = (eb: MemberScope) => eb.and(query.terms.map((term) => condition(eb, term)));
  let rowsQuery = membersOf(db, portalId).select(ROW_COLUMNS).where(where);
  for (const { field, direction } of query.sort) rowsQuery = rowsQuery.orderBy(COLUMNS[field], direction);
  if (!query.sort.some((s) => s.field === 'ID')) rowsQuery = rowsQuery.orderBy('members.id', 'asc');
  const rows = await rowsQuery.limit(REST_PAGE_SIZE).offset(query.offset).execute();
  if (!query.count) return { rows };
  const counted = await membersOf(db, portalId)
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .where(where)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(counted.n) };
}

/**
 * A member as Bitrix24's user.get shows a user: IDs and most values as strings, ACTIVE as a
 * boolean. What the portal does not model (photo, gender, time zone, departments) has Bitrix24's
 * empty values; every member sits in the root department (1).
 */
export function bitrixUser(row: PortalUserRow) {
  return {
    ID: String(row.id),
    XML_ID: '',
    ACTIVE: row.active === 1,
    NAME: row.name,
    LAST_NAME: row.last_name,
    SECOND_NAME: '',
    EMAIL: row.email,
    DATE_REGISTER: isoDateTime(row.created_at),
    IS_ONLINE: 'N',
    TIME_ZONE: '',
    TIME_ZONE_OFFSET: '0',
    PERSONAL_GENDER: '',
    PERSONAL_BIRTHDAY: '',
    PERSONAL_PHOTO: '',
    PERSONAL_MOBILE: '',
    PERSONAL_CITY: '',
    WORK_PHONE: '',
    WORK_POSITION: row.work_position,
    UF_DEPARTMENT: [1],
    UF_EMPLOYMENT_DATE: '',
    USER_TYPE: 'employee',
  };
}

/** What the `profile` method shows of the caller. */
export function bitrixProfile(row: PortalUserRow) {
  return {
    ID: String(row.id),
    ADMIN: row.role === 'admin',
    NAME: row.name,
    LAST_NAME: row.last_name,
    PERSONAL_GENDER: '',
    PERSONAL_PHOTO: '',
    TIME_ZONE: '',
    TIME_ZONE_OFFSET: 0,
  };
}
