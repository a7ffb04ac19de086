import type { ImCounters } from '@multidesk/protocol';
import { listMemberChats } from '../store/chats.ts';
import type { Executor } from '../store/schema.ts';

/**
 * The member's unread messages as im.counters.get reports them: per group chat (by chat id), per
 * private dialog (by the other user's id), and totals. Chats with nothing unread are left out.
 */
export async function countersOf(db: Executor, memberId: number): Promise<ImCounters> {
  const rows = await listMemberChats(db, { memberId, unreadOnly: true });
  const counters: ImCounters = {
    CHAT: {},
    CHAT_MUTED: {},
    CHAT_UNREAD: {},
    DIALOG: {},
    DIALOG_UNREAD: {},
    LINES: {},
    TYPE: { ALL: 0, CHAT: 0, DIALOG: 0, LINES: 0, NOTIFY: 0, MESSENGER: 0 },
  };
  for (const row of rows) {
    if (row.type === 'private') {
      counters.DIALOG[String(row.peer_member_id ?? memberId)] = row.unread;
      counters.TYPE.DIALOG += row.unread;
    } else {
      counters.CHAT[String(row.id)] = row.unread;
      counters.TYPE.CHAT += row.unread;
    }
  }
  counters.TYPE.MESSENGER = counters.TYPE.CHAT + counters.TYPE.DIALOG;
  counters.TYPE.ALL = counters.TYPE.MESSENGER;
  return counters;
}
