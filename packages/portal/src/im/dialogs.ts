import { RestFailure } from '../rest/envelope.ts';
import { ensurePrivateChat, findChat, findChatMember, findPrivateChat, listChatMembers } from '../store/chats.ts';
import { prepared } from '../store/preparedQuery.ts';
import type { Chat, Executor } from '../store/schema.ts';

/** What DIALOG_ID names: a chat by id (`chat12`), or the private dialog with a user (`7`). */
export type DialogRef = { kind: 'chat'; chatId: number } | { kind: 'user'; memberId: number };

export function parseDialogId(value: unknown): DialogRef {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new RestFailure('DIALOG_ID_EMPTY', "Dialog ID can't be empty");
  const chat = /^chat(\d{1,15})$/i.exec(text);
  if (chat) return { kind: 'chat', chatId: Number(chat[1]) };
  if (/^\d{1,15}$/.test(text)) return { kind: 'user', memberId: Number(text) };
  throw new RestFailure('DIALOG_ID_EMPTY', 'DIALOG_ID must be chat<N> or a user ID.');
}

/** A missing chat and a chat of others answer the same: nothing tells them apart. */
export function accessDenied(): RestFailure {
  return new RestFailure('ACCESS_DENIED', 'Access denied: the dialog does not exist or you are not a member of it.');
}

/** A dialog the caller may use. `chat` is null for a private dialog with no message yet. */
export interface OpenDialog {
  chat: Chat | null;
  /** How the caller names it: `chat12` or the other user's id. */
  dialogId: string;
  /** Private dialogs: the other member (the caller, in a dialog with themself). */
  peerMemberId: number | null;
}

/** The other side of a private chat, as `viewer` sees it. */
export async function peerOf(db: Executor, chat: Chat, viewer: number): Promise<number | null> {
  if (chat.type !== 'private') return null;
  const members = await listChatMembers(db, chat.id);
  return members.find((m) => m.member_id !== viewer)?.member_id ?? viewer;
}

const memberActiveQuery = prepared((db, p: { portalId: number; memberId: number }) =>
  db.selectFrom('members').select('active').where('portal_id', '=', p.portalId).where('id', '=', p.memberId),
);

async function activeMemberOfPortal(db: Executor, portalId: number, memberId: number): Promise<{ active: boolean } | undefined> {
  const [row] = (await memberActiveQuery(db, { portalId, memberId })).rows;
  return row ? { active: row.active === 1 } : undefined;
}

/**
 * Resolves DIALOG_ID for `me`, or throws ACCESS_DENIED. With `create`, a private dialog with an
 * active member that does not exist yet is created (as on the first message).
 */
export async function openDialog(
  db: Executor,
  portalId: number,
  me: number,
  ref: DialogRef,
  options: { create: boolean; now: number },
): Promise<OpenDialog> {
  if (ref.kind === 'chat') {
    const chat = await findChat(db, portalId, ref.chatId);
    if (!chat || !(await findChatMember(db, chat.id, me))) throw accessDenied();
    const peer = await peerOf(db, chat, me);
    return { chat, dialogId: chat.type === 'private' ? String(peer) : `chat${chat.id}`, peerMemberId: peer };
  }
  const target = await activeMemberOfPortal(db, portalId, ref.memberId);
  if (!target) throw accessDenied();
  const dialogId = String(ref.memberId);
  const existing = await findPrivateChat(db, portalId, me, ref.memberId);
  if (existing) return { chat: existing, dialogId, peerMemberId: ref.memberId };
  if (!options.create) return { chat: null, dialogId, peerMemberId: ref.memberId };
  if (!target.active) throw accessDenied();
  const chat = await ensurePrivateChat(db, portalId, me, ref.memberId, options.now);
  return { chat, dialogId, peerMemberId: ref.memberId };
}
