import { randomBytes } from 'node:crypto';
import { prepared } from './preparedQuery.ts';
import type { Executor, Portal } from './schema.ts';

/** A portal's name is the first label of its host name. */
export const PORTAL_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export async function createPortal(db: Executor, name: string, title: string, now: number): Promise<Portal> {
  return db
    .insertInto('portals')
    .values({ name, title, member_id: randomBytes(16).toString('hex'), created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

const portalByNameQuery = prepared((db, p: { name: string }) => db.selectFrom('portals').selectAll().where('name', '=', p.name));

export async function findPortalByName(db: Executor, name: string): Promise<Portal | undefined> {
  return (await portalByNameQuery(db, { name })).rows[0];
}

export async function findPortalById(db: Executor, id: number): Promise<Portal | undefined> {
  return db.selectFrom('portals').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePortalTitle(db: Executor, id: number, title: string): Promise<void> {
  await db.updateTable('portals').set({ title }).where('id', '=', id).execute();
}
