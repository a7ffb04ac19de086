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

export async function findWebhook(db: Executor, portalId: number, memberId: number, secretHash: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('member_id', '=', memberId)
    .where('secret_hash', '=', secretHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
