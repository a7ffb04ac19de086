import type { Executor } from './schema.ts';

/**
 * A key of this installation by name, created on first use. Insert-or-ignore then read: when
 * several instances start at once, all of them end up with the one that was stored first.
 */
export async function serverKey(db: Executor, name: string, create: () => string, now: number): Promise<string> {
  await db
    .insertInto('server_keys')
    .values({ name, value: create(), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
