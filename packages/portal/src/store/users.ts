import type { Executor, NewUser, User } from './schema.ts';

/** Logins are e-mail addresses, compared case-insensitively. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

export async function createUser(db: Executor, user: NewUser): Promise<User> {
  return db
    .insertInto('users')
    .values({ ...user, email: normalizeLogin(user.email) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeLogin(email)).executeTakeFirst();
}

export async function findUserById(db: Executor, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setUserPassword(db: Executor, id: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function setTotp(db: Executor, userId: number, secret: string | null, recoveryCodeHashes: string[]): Promise<void> {
  await db.updateTable('users').set({ totp_secret: secret, totp_last_step: null }).where('id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (recoveryCodeHashes.length > 0) {
    await db
      .insertInto('recovery_codes')
      .values(recoveryCodeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
      .execute();
  }
}

/**
 * Records the accepted TOTP step; the condition makes two concurrent uses of one code race to a
 * single winner.
 */
export async function claimTotpStep(db: Executor, userId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function claimRecoveryCode(db: Executor, userId: number, codeHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
