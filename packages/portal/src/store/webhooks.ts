import { prepared } from './preparedQuery.ts';
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

const webhookQuery = prepared((db, p: { portalId: number; memberId: number; secretHash: string }) =>
  db
    .selectFrom('webhooks')
    .selectAll()
    .where('portal_id', '=', p.portalId)
    .where('member_id', '=', p.memberId)
    .where('secret_hash', '=', p.secretHash)
    .where('revoked_at', 'is', null),
);

export async function findWebhook(db: Executor, portalId: number, memberId: number, secretHash: string) {
  return (await webhookQuery(db, { portalId, memberId, secretHash })).rows[0];
}
