import { prepared } from './preparedQuery.ts';
import type { Executor, TokenFamily } from './schema.ts';

export interface NewCode {
  codeHash: string;
  portalId: number;
  memberId: number;
  clientId: string;
  codeChallenge: string;
  deviceName: string;
  expiresAt: number;
}

export async function insertCode(db: Executor, code: NewCode): Promise<void> {
  await db
    .insertInto('oauth_codes')
    .values({
      code_hash: code.codeHash,
      portal_id: code.portalId,
      member_id: code.memberId,
      client_id: code.clientId,
      code_challenge: code.codeChallenge,
      device_name: code.deviceName,
      expires_at: code.expiresAt,
      used_at: null,
    })
    .execute();
}

/**
 * Marks a code used and returns it; a second caller gets nothing (one use, even under races).
 * `portalId` null: a code of any portal (the network's token server finds the portal from it).
 */
export async function consumeCode(db: Executor, portalId: number | null, codeHash: string, now: number) {
  let claim = db
    .updateTable('oauth_codes')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now);
  if (portalId !== null) claim = claim.where('portal_id', '=', portalId);
  const claimed = await claim.executeTakeFirst();
  if (claimed.numUpdatedRows === 0n) return undefined;
  return db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirstOrThrow();
}

/** Remembers the sign-in a code was exchanged for. */
export async function linkCodeToFamily(db: Executor, codeHash: string, familyId: number): Promise<void> {
  await db.updateTable('oauth_codes').set({ family_id: familyId }).where('code_hash', '=', codeHash).execute();
}

/** A code (of this portal, unless null) presented after it was used: the sign-in it was exchanged for, if any. */
export async function findReplayedCode(db: Executor, portalId: number | null, codeHash: string) {
  let query = db.selectFrom('oauth_codes').select(['family_id']).where('code_hash', '=', codeHash).where('used_at', 'is not', null);
  if (portalId !== null) query = query.where('portal_id', '=', portalId);
  return query.executeTakeFirst();
}

export async function deleteExpiredCodes(db: Executor, now: number): Promise<void> {
  await db.deleteFrom('oauth_codes').where('expires_at', '<', now).execute();
}

export interface NewFamily {
  portalId: number;
  memberId: number;
  clientId: string;
  deviceName: string;
  ip: string;
  userAgent: string;
  scope: string;
  now: number;
}

export async function createFamily(db: Executor, family: NewFamily): Promise<TokenFamily> {
  return db
    .insertInto('token_families')
    .values({
      portal_id: family.portalId,
      member_id: family.memberId,
      client_id: family.clientId,
      device_name: family.deviceName,
      ip: family.ip,
      user_agent: family.userAgent,
      scope: family.scope,
      created_at: family.now,
      last_used_at: family.now,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertToken(
  db: Executor,
  tokenHash: string,
  familyId: number,
  kind: 'access' | 'refresh',
  expiresAt: number,
): Promise<void> {
  await db
    .insertInto('oauth_tokens')
    .values({ token_hash: tokenHash, family_id: familyId, kind, expires_at: expiresAt, used_at: null })
    .execute();
}

/** What a token read gives: the token and its family (the sign-in it belongs to). */
export const TOKEN_COLUMNS = [
  'oauth_tokens.token_hash',
  'oauth_tokens.kind',
  'oauth_tokens.expires_at',
  'oauth_tokens.used_at',
  'token_families.id as family_id',
  'token_families.portal_id',
  'token_families.member_id',
  'token_families.client_id',
  'token_families.scope',
  'token_families.revoked_at',
] as const;

/** The tokens with their families, to read one by its hash. */
export function tokensWithFamilies(db: Executor) {
  return db.selectFrom('oauth_tokens').innerJoin('token_families', 'token_families.id', 'oauth_tokens.family_id');
}

const tokenQuery = prepared((db, p: { tokenHash: string }) =>
  tokensWithFamilies(db).select(TOKEN_COLUMNS).where('oauth_tokens.token_hash', '=', p.tokenHash),
);

/** A token with its family and the member it acts for. */
export async function findToken(db: Executor, tokenHash: string) {
  return (await tokenQuery(db, { tokenHash })).rows[0];
}

export type FoundToken = NonNullable<Awaited<ReturnType<typeof findToken>>>;

export async function markRefreshUsed(db: Executor, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('oauth_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchFamily(db: Executor, familyId: number, now: number): Promise<void> {
  await db.updateTable('token_families').set({ last_used_at: now }).where('id', '=', familyId).execute();
}

/** Revokes every token of the family: its access tokens stop working at once. */
export async function revokeFamily(db: Executor, familyId: number, now: number): Promise<void> {
  await db.updateTable('token_families').set({ revoked_at: now }).where('id', '=', familyId).where('revoked_at', 'is', null).execute();
  await db.deleteFrom('oauth_tokens').where('family_id', '=', familyId).where('kind', '=', 'access').execute();
}

export async function listActiveFamiliesOfUser(db: Executor, userId: number, portalId: number) {
  return db
    .selectFrom('token_families')
    .innerJoin('members', 'members.id', 'token_families.member_id')
    .selectAll('token_families')
    .where('members.user_id', '=', userId)
    .where('token_families.portal_id', '=', portalId)
    .where('token_families.revoked_at', 'is', null)
    .orderBy('token_families.last_used_at', 'desc')
    .execute();
}
