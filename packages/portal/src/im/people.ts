import type { ImUser } from '@multidesk/protocol';
import { isoDateTime } from '../rest/envelope.ts';
import { findPortalPeople, type PortalPerson, type PortalUserRow } from '../rest/userDirectory.ts';
import type { Executor } from '../store/schema.ts';
import { colorOf } from './colors.ts';

/** Members of one portal by id, with their names; ids of other portals are simply absent. */
export async function loadPeople(db: Executor, portalId: number, memberIds: Iterable<number>): Promise<Map<number, PortalPerson>> {
  const ids = [...new Set(memberIds)].filter((id) => id > 0);
  if (ids.length === 0) return new Map();
  const rows = await findPortalPeople(db, portalId, ids);
  return new Map(rows.map((row) => [row.id, row]));
}

export function fullName(row: Pick<PortalUserRow, 'name' | 'last_name'>): string {
  return [row.name, row.last_name].filter(Boolean).join(' ');
}

/** A user as Bitrix24's im methods describe one; what the portal does not model is empty or false. */
export function imUser(row: PortalPerson): ImUser {
  return {
    id: row.id,
    active: row.active === 1,
    name: fullName(row),
    first_name: row.name,
    last_name: row.last_name,
    work_position: row.work_position,
    color: colorOf(row.id),
    avatar: '',
    avatar_hr: '',
    gender: '',
    birthday: '',
    extranet: false,
    network: false,
    bot: false,
    connector: false,
    external_auth_id: 'default',
    status: 'online',
    idle: false,
    last_activity_date: isoDateTime(row.seen_at),
    mobile_last_date: false,
    desktop_last_date: false,
    absent: false,
    departments: [1],
    phones: false,
    bot_data: null,
    type: 'user',
    website: '',
    email: row.email,
  };
}
