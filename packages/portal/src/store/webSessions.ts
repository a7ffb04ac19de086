import type { Executor, WebSession } from './schema.ts';

export async function insertWebSession(db: Executor, session: Omit<WebSession, 'revoked_at'>): Promise<void> {
  await db
    .insertInto('web_sessions')
    .values({ ...session, revoked_at: null })
    .execute();
}

export async function findLiveWebSession(
  db: Executor,
  idHash: string,
  kind: WebSession['kind'],
  portalId: number | null,
  now: number,
): Promise<WebSession | undefined> {
  let query = db
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('kind', '=', kind)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  query = portalId === null ? query.where('portal_id', 'is', null) : query.where('portal_id', '=', portalId);
  return query.executeTakeFirst();
}

export async function touchWebSession(db: Executor, idHash: string, now: number): Promise<void> {
  await db.updateTable('web_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function markWebSessionAuthenticated(db: Executor, idHash: string, now: number): Promise<void> {
  await db.updateTable('web_sessions').set({ authenticated_at: now }).where('id_hash', '=', idHash).execute();
}

export async function revokeWebSession(db: Executor, idHash: string, userId: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('web_sessions')
    .set({ revoked_at: now })
    .where('id_hash', '=', idHash)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The user's live browser sessions on one site (a portal, or the network when `portalId` is null). */
export async function listLiveWebSessions(db: Executor, userId: number, portalId: number | null, now: number): Promise<WebSession[]> {
  let query = db
    .selectFrom('web_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'web')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  query = portalId === null ? query.where('portal_id', 'is', null) : query.where('portal_id', '=', portalId);
  return query.orderBy('last_seen_at', 'desc').execute();
}
