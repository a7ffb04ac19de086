import { addMemberChecked, createUserChecked } from '../src/admin/directory.ts';
import type { TestPortal } from './harness.ts';
import { postJson, type RestReply, signInAs } from './tokens.ts';

/** A signed-in member of a portal calling im.* methods over HTTP, as the desktop does. */
export interface ImUserClient {
  /** The member's USER ID on that portal. */
  id: number;
  token: string;
  call(method: string, params?: Record<string, unknown>): Promise<RestReply>;
  /** The call's `result`, failing the test on any error answer. */
  result<T = any>(method: string, params?: Record<string, unknown>): Promise<T>;
}

export async function imUser(portal: TestPortal, portalName: string, email: string): Promise<ImUserClient> {
  const tokens = await signInAs(portal, portalName, email);
  const base = portal.url(portalName);
  const call = (method: string, params: Record<string, unknown> = {}) =>
    postJson(`${base}/rest/${method}`, { ...params, auth: tokens.access_token });
  return {
    id: tokens.user_id,
    token: tokens.access_token,
    call,
    result: async (method, params) => {
      const reply = await call(method, params);
      if (reply.status !== 200) throw new Error(`${method} answered ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.result;
    },
  };
}

/**
 * A new person, member of the given portals, signed in on the first: chat tests start from people
 * with no demo history, so counts and lists hold only what the test did.
 */
export async function newImUser(portal: TestPortal, email: string, portals: string[]): Promise<ImUserClient> {
  const now = portal.clock.now();
  await createUserChecked(portal.db, { email, password: 'multidesk-demo', name: email.split('@')[0] as string, lastName: 'Tester' }, now);
  for (const name of portals) await addMemberChecked(portal.db, name, email, 'user', now);
  return imUser(portal, portals[0] as string, email);
}
