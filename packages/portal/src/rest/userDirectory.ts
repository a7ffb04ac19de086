import { type BitrixUser, REST_PAGE_SIZE } from '@multidesk/protocol';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { columnCondition } from '../store/filterSql.ts';
import { prepared } from '../store/preparedQuery.ts';
import type { Database, Executor } from '../store/schema.ts';
import { type FoundToken, TOKEN_COLUMNS, tokensWithFamilies } from '../store/tokens.ts';
import { siteDateTime, sqlDateTime } from './dateTime.ts';
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

/** A member as the user and im methods show one: with when they last signed in to the portal and were last seen. */
export interface PortalPerson extends PortalUserRow {
  /** Epoch ms of the last sign-in (desktop, app or browser), or null: never. */
  signed_in_at: number | null;
  /** Epoch ms they were last seen: the last use of a sign-in, or joining the portal. */
  seen_at: number;
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

/** Sign-ins to this portal: tokens (desktop, apps) and browser sessions; each kept with its last use. */
const SIGN_IN_COLUMNS = [
  sql<number | null>`(select max(created_at) from token_families where member_id = members.id)`.as('token_signed_in_at'),
  sql<number | null>`(select max(last_used_at) from token_families where member_id = members.id)`.as('token_seen_at'),
  sql<number | null>`(select max(authenticated_at) from web_sessions where user_id = members.user_id and portal_id = members.portal_id)`.as(
    'page_signed_in_at',
  ),
  sql<number | null>`(select max(last_seen_at) from web_sessions where user_id = members.user_id and portal_id = members.portal_id)`.as(
    'page_seen_at',
  ),
] as const;

type SignInRow = PortalUserRow & Record<'token_signed_in_at' | 'token_seen_at' | 'page_signed_in_at' | 'page_seen_at', number | null>;

const latest = (...times: (number | null)[]) => times.reduce<number | null>((a, b) => (b === null ? a : Math.max(a ?? b, b)), null);

/** The person in a row that may hold more (a credential read with its holder): only their own fields. */
function person(row: SignInRow): PortalPerson {
  const signedIn = latest(row.token_signed_in_at, row.page_signed_in_at);
  return {
    id: row.id,
    active: row.active,
    role: row.role,
    work_position: row.work_position,
    created_at: row.created_at,
    email: row.email,
    name: row.name,
    last_name: row.last_name,
    signed_in_at: signedIn,
    seen_at: latest(row.token_seen_at, row.page_seen_at, signedIn) ?? row.created_at,
  };
}

/**
 * A REST call's credential and the member it acts for, in one read: on PostgreSQL, where nothing of
 * it is kept in memory, that is one round trip fewer on every call. The member is the one of the
 * credential's own portal; no row: no such credential (or no such member).
 */
const tokenHolderQuery = prepared((db, p: { tokenHash: string }) =>
  tokensWithFamilies(db)
    .innerJoin('members', (join) =>
      join.onRef('members.id', '=', 'token_families.member_id').onRef('members.portal_id', '=', 'token_families.portal_id'),
    )
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(TOKEN_COLUMNS)
    .select(ROW_COLUMNS)
    .select(SIGN_IN_COLUMNS)
    .where('oauth_tokens.token_hash', '=', p.tokenHash),
);

/** An access or refresh token by its hash, with its holder (see `checkAccessToken`). */
export async function findTokenHolder(db: Executor, tokenHash: string): Promise<{ token: FoundToken; holder: PortalPerson } | undefined> {
  const [row] = (await tokenHolderQuery(db, { tokenHash })).rows;
  return row && { token: row, holder: person(row) };
}

const webhookHolderQuery = prepared((db, p: { portalId: number; memberId: number; secretHash: string }) =>
  membersOf(db, p.portalId)
    .innerJoin('webhooks', (join) =>
      join.onRef('webhooks.member_id', '=', 'members.id').onRef('webhooks.portal_id', '=', 'members.portal_id'),
    )
    .select('webhooks.scopes')
    .select(ROW_COLUMNS)
    .select(SIGN_IN_COLUMNS)
    .where('members.id', '=', p.memberId)
    .where('webhooks.secret_hash', '=', p.secretHash)
    .where('webhooks.revoked_at', 'is', null),
);

/** A member's inbound webhook on the portal that is not revoked, by its secret's hash, with the member. */
export async function findWebhookHolder(
  db: Executor,
  portalId: number,
  memberId: number,
  secretHash: string,
): Promise<{ scopes: string; holder: PortalPerson } | undefined> {
  const [row] = (await webhookHolderQuery(db, { portalId, memberId, secretHash })).rows;
  return row && { scopes: row.scopes, holder: person(row) };
}

/** Members of the portal among `memberIds`, with their sign-ins; ids of other portals are simply absent. */
export async function findPortalPeople(db: Executor, portalId: number, memberIds: number[]): Promise<PortalPerson[]> {
  const rows = await membersOf(db, portalId).select(ROW_COLUMNS).select(SIGN_IN_COLUMNS).where('members.id', 'in', memberIds).execute();
  return rows.map(person);
}

export interface UserQuery {
  terms: FilterTerm<UserFilterField>[];
  sort: { field: UserField; direction: SortDirection }[];
  offset: number;
  /** False for `start=-1`. */
  count: boolean;
}

/** A page of the portal's members; ties are broken by ID so that pages never overlap. */
export async function listPortalUsers(db: Executor, portalId: number, query: UserQuery): Promise<{ rows: PortalPerson[]; total?: number }> {
  const where = (eb: MemberScope) => eb.and(query.terms.map((term) => condition(eb, term)));
  let rowsQuery = membersOf(db, portalId).select(ROW_COLUMNS).select(SIGN_IN_COLUMNS).where(where);
  for (const { field, direction } of query.sort) rowsQuery = rowsQuery.orderBy(COLUMNS[field], direction);
  if (!query.sort.some((s) => s.field === 'ID')) rowsQuery = rowsQuery.orderBy('members.id', 'asc');
  const rows = (await rowsQuery.limit(REST_PAGE_SIZE).offset(query.offset).execute()).map(person);
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
 * empty values; every member sits in the root department (1). The portal keeps no history of a
 * member's record: TIMESTAMP_X (its last change) is when they joined.
 */
export function bitrixUser(row: PortalPerson): BitrixUser {
  return {
    ID: String(row.id),
    XML_ID: '',
    ACTIVE: row.active === 1,
    NAME: row.name,
    LAST_NAME: row.last_name,
    SECOND_NAME: '',
    EMAIL: row.email,
    LAST_LOGIN: row.signed_in_at === null ? '' : isoDateTime(row.signed_in_at),
    DATE_REGISTER: isoDateTime(row.created_at),
    IS_ONLINE: 'N',
    TIMESTAMP_X: siteDateTime(row.created_at),
    LAST_ACTIVITY_DATE: sqlDateTime(row.seen_at),
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
