import type { Executor, OAuthApp } from './schema.ts';

export interface NewApp {
  portalId: number;
  clientId: string;
  secretHash: string;
  title: string;
  redirectUri: string;
  scopes: readonly string[];
  now: number;
}

export async function insertApp(db: Executor, app: NewApp): Promise<OAuthApp> {
  return db
    .insertInto('oauth_apps')
    .values({
      portal_id: app.portalId,
      client_id: app.clientId,
      secret_hash: app.secretHash,
      title: app.title,
      redirect_uri: app.redirectUri,
      scopes: app.scopes.join(','),
      created_at: app.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAppByClientId(db: Executor, clientId: string): Promise<OAuthApp | undefined> {
  return db.selectFrom('oauth_apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function listApps(db: Executor, portalId: number): Promise<OAuthApp[]> {
  return db.selectFrom('oauth_apps').selectAll().where('portal_id', '=', portalId).orderBy('id').execute();
}

/** Removes the app and ends every sign-in it was given: its tokens stop working at once. */
export async function removeApp(db: Executor, portalId: number, clientId: string, now: number): Promise<boolean> {
  const removed = await db.deleteFrom('oauth_apps').where('portal_id', '=', portalId).where('client_id', '=', clientId).executeTakeFirst();
  if (removed.numDeletedRows === 0n) return false;
  const families = db.selectFrom('token_families').select('id').where('portal_id', '=', portalId).where('client_id', '=', clientId);
  await db.deleteFrom('oauth_tokens').where('family_id', 'in', families).execute();
  await db
    .updateTable('token_families')
    .set({ revoked_at: now })
    .where('portal_id', '=', portalId)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .execute();
  await db.deleteFrom('oauth_codes').where('portal_id', '=', portalId).where('client_id', '=', clientId).execute();
  return true;
}
