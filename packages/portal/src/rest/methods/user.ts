import type { BitrixUser } from '@multidesk/protocol';
import { unchanging } from '../envelope.ts';
import { parseFilter, parseSort } from '../filter.ts';
import { pageFields, param, readPage } from '../params.ts';
import type { MethodTable } from '../registry.ts';
import { bitrixProfile, bitrixUser, listPortalUsers, type PortalPerson, USER_FILTER_FIELDS, USER_SORT_FIELDS } from '../userDirectory.ts';

/** The caller's own record, made once for each time authentication reads it (a read serves many requests). */
const shownCallers = new WeakMap<PortalPerson, Readonly<BitrixUser>>();

function shownUser(caller: PortalPerson): Readonly<BitrixUser> {
  let shown = shownCallers.get(caller);
  if (!shown) {
    shown = unchanging(bitrixUser(caller));
    shownCallers.set(caller, shown);
  }
  return shown;
}

/** The profile, user.current and user.get of Bitrix24, over the portal's members. */
export const userMethods: MethodTable = {
  profile: {
    scopes: ['profile', 'user', 'user_basic'],
    handler: async ({ auth }) => ({ result: bitrixProfile(auth.user) }),
  },

  'user.current': {
    scopes: ['user', 'user_basic'],
    // The caller, with their sign-ins, as authenticating read them a moment ago.
    handler: async ({ auth }) => ({ result: shownUser(auth.user) }),
  },

  /**
   * FILTER (any case, or the fields at the top level) by ID, EMAIL, ACTIVE, NAME, LAST_NAME,
   * WORK_POSITION with Bitrix24's operator prefixes; `sort`/`order`; 50 a page from `start`.
   */
  'user.get': {
    scopes: ['user', 'user_basic'],
    handler: async ({ ctx, portal, params }) => {
      const filter = param(params, 'filter');
      const terms = parseFilter(filter === undefined ? params : filter, USER_FILTER_FIELDS);
      const sort = parseSort(param(params, 'sort'), param(params, 'order'), USER_SORT_FIELDS, 'ID');
      const page = readPage(params);
      const { rows, total } = await listPortalUsers(ctx.db, portal.id, { terms, sort, offset: page.offset, count: page.counted });
      return { result: rows.map(bitrixUser), ...pageFields(page, total) };
    },
  },
};
