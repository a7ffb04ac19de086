/**
 * A message into a chat with a long unread history (issue 14): `im.message.add` from ben to anna on
 * a real portal server (the CLI's `serve`, SQLite, demo data), into the dialog where anna has
 * `--unread` messages unread and into ben's dialog with olivia, who has only these messages unread, one message at a time, alternating.
 * Each message tells every member of its chat their unread count (the im event's counter), so what
 * that count costs shows here. Prints JSON, then one line a figure (it never asserts).
 *
 *   npx node bench/unread.ts [--unread 50000] [--messages 200] [--server-core 0] [--load-core 1]
 *
 * The server is pinned to `--server-core`, this process (the sender) to `--load-core`. The unread
 * history is written straight into the database before the server starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWebhookChecked } from '@multidesk/portal/src/admin/directory.ts';
import { seedDemo } from '@multidesk/portal/src/seed/demo.ts';
import { openDatabase } from '@multidesk/portal/src/store/database.ts';
import { sql } from 'kysely';
import { request } from 'undici';
import { percentile } from './percentile.ts';
import { freePort, startServe, stop, waitUntilAnswering } from './serverLoad.ts';

const { values: args } = parseArgs({
  options: {
    unread: { type: 'string', default: '50000' },
    messages: { type: 'string', default: '200' },
    'server-core': { type: 'string', default: '0' },
    'load-core': { type: 'string', default: '1' },
  },
});
const UNREAD = Number(args.unread);
const MESSAGES = Number(args.messages);
const WARMUP = 20;

execFileSync('taskset', ['-p', '-c', String(args['load-core']), String(process.pid)], { stdio: 'ignore' });

const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-unread-'));
try {
  const db = await openDatabase(dataDir);
  const now = Date.now();
  await seedDemo(db, now);
  const member = async (email: string) =>
    (
      await db
        .selectFrom('members')
        .innerJoin('users', 'users.id', 'members.user_id')
        .innerJoin('portals', 'portals.id', 'members.portal_id')
        .select('members.id')
        .where('users.email', '=', email)
        .where('portals.name', '=', 'acme')
        .executeTakeFirstOrThrow()
    ).id;
  const [anna, ben, olivia] = [await member('anna@example.com'), await member('ben@example.com'), await member('olivia@example.com')];
  const hook = await createWebhookChecked(db, 'acme', 'ben@example.com', ['im'], now);
  await db.destroy();

  const port = await freePort();
  const server = startServe(args['server-core'], port, ['--data', dataDir]);
  const base = `http://127.0.0.1:${port}/rest/${hook.memberId}/${hook.secret}`;
  const host = `acme.localhost:${port}`;
  const post = async (dialogId: string, text: string) => {
    const reply = await request(`${base}/im.message.add`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({ DIALOG_ID: dialogId, MESSAGE: text }),
    });
    const body = (await reply.body.json()) as { result?: number };
    if (reply.statusCode !== 200 || typeof body.result !== 'number') throw new Error(`${reply.statusCode}: ${JSON.stringify(body)}`);
    return body.result;
  };
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/`, server);
    // The busy dialog (ben to anna) and a quiet one (ben to olivia, who has only these messages unread) exist once a message is sent.
    const busyChat = await post(String(anna), 'first');
    await post(String(olivia), 'first');
    // The history, written with the server running (WAL lets both in): UNREAD messages from ben that anna has not read.
    const direct = await openDatabase(dataDir);
    const { chat_id: chatId } = await direct.selectFrom('messages').select('chat_id').where('id', '=', busyChat).executeTakeFirstOrThrow();
    const started = performance.now();
    await direct.transaction().execute(async (trx) => {
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${UNREAD})
        insert into messages (chat_id, author_member_id, text, client_message_id, created_at)
        select ${chatId}, ${ben}, 'history ' || i, null, ${now} from n`.execute(trx);
      // Where the server keeps the count on the membership, it is brought up to date (the migration's count).
      const columns = await sql<{ name: string }>`select name from pragma_table_info('chat_members')`.execute(trx);
      if (columns.rows.some((c) => c.name === 'unread_count')) {
        await sql`update chat_members set unread_count = (select count(*) from messages m where m.chat_id = chat_members.chat_id and m.id > chat_members.last_read_message_id and m.author_member_id <> chat_members.member_id and m.deleted_at is null) where chat_id = ${chatId}`.execute(
          trx,
        );
      }
    });
    await direct.destroy();
    const historyMs = performance.now() - started;

    const busy: number[] = [];
    const quiet: number[] = [];
    for (let i = 0; i < WARMUP + MESSAGES; i++) {
      for (const [dialogId, times] of [
        [String(anna), busy],
        [String(olivia), quiet],
      ] as const) {
        const at = performance.now();
        await post(dialogId, `message ${i}`);
        if (i >= WARMUP) times.push(performance.now() - at);
      }
    }
    const figures = (times: number[]) => {
      const sorted = Float64Array.from(times).sort();
      return { p50_ms: Math.round(percentile(sorted, 50) * 100) / 100, p99_ms: Math.round(percentile(sorted, 99) * 100) / 100 };
    };
    const report = {
      bench: 'unread',
      unread: UNREAD,
      messages: MESSAGES,
      history_written_ms: Math.round(historyMs),
      into_busy_dialog: figures(busy),
      into_quiet_dialog: figures(quiet),
    };
    console.log(JSON.stringify(report, null, 2));
    const ratio = Math.round((report.into_busy_dialog.p50_ms / report.into_quiet_dialog.p50_ms) * 100) / 100;
    console.log(
      `im.message.add into a dialog where the reader has ${UNREAD} unread: p50 ${report.into_busy_dialog.p50_ms} ms, p99 ${report.into_busy_dialog.p99_ms} ms`,
    );
    console.log(
      `im.message.add into a dialog with only these messages unread: p50 ${report.into_quiet_dialog.p50_ms} ms, p99 ${report.into_quiet_dialog.p99_ms} ms`,
    );
    console.log(`busy / quiet, p50: ${ratio} (the unread history costs nothing when it is 1)`);
  } finally {
    await stop(server);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
