import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
// The desktop's own sign-ins now include `pull_channel` (its realtime is Push & Pull): sign-ins
// made before keep working live instead of needing a new sign-in.
export async function up(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('token_families')
    .set({ scope: sql`scope || ',pull_channel'` })
    .where('client_id', '=', 'multidesk-desktop')
    .where('scope', 'not like', '%pull_channel%')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('token_families')
    .set({ scope: sql`replace(scope, ',pull_channel', '')` })
    .where('client_id', '=', 'multidesk-desktop')
    .execute();
}
