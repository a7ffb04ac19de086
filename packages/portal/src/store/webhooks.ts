import type { Executor, Webhook } from './schema.ts';

export async function insertWebhook(
  db: Executor,
  portalId: number,
  memberId: number,
  secretHash: string,
  scopes: string[],
  now: number,
): Promise<Webhook> {
  return db
    .insertInto('webhooks')
    .values({
      portal_id: portalId,
      member_id: memberId,
      secret_hash: secretHash,
      scopes: scopes.join(','),
      created_at: now,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
