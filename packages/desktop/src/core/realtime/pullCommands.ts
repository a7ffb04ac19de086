import {
  type ImMessage,
  matches,
  type PullBody,
  PullChatChangeParams,
  PullMessageAddParams,
  PullMessageDeleteParams,
  PullMessageUpdateParams,
  type PullRawMessage,
  PullReadOpponentParams,
  PullReadParams,
  PullTaskParams,
  PullUnreadParams,
} from '@multidesk/protocol';
import type { TSchema } from 'typebox';

/**
 * What a Pull message means for an account's windows. `counter` is the account's own unread count
 * of that chat afterwards, where the command carries it.
 */
export type AccountChange =
  /** `authorName`: as the command's `users` names the sender, where it does. */
  | { kind: 'message-new'; dialogId: string; message: ImMessage; counter?: number; authorName?: string }
  /** `edit`: what happened to one message (edited, deleted, or removed for good), where that is what changed. */
  | { kind: 'chat-changed'; dialogId: string; counter?: number; edit?: MessageEdit }
  /** Chats joined, left, renamed or removed: the chat list itself. */
  | { kind: 'chat-list-changed' }
  | { kind: 'task-changed'; taskId: number };

export type MessageEdit =
  | { id: number; change: 'edited'; text: string }
  | { id: number; change: 'deleted' }
  | { id: number; change: 'removed' };

/** `chat12`, or a private dialog's user id: Bitrix24 sends it as a number in some commands, a string in others. */
const dialogKey = (dialogId: string | number) => String(dialogId);

function imMessage(raw: PullRawMessage): ImMessage {
  const flags = Array.isArray(raw.params) ? {} : raw.params;
  const params: ImMessage['params'] = flags.IS_DELETED === 'Y' ? { IS_DELETED: 'Y' } : flags.IS_EDITED === 'Y' ? { IS_EDITED: 'Y' } : null;
  return {
    id: raw.id,
    chat_id: raw.chatId,
    author_id: raw.senderId,
    date: raw.date,
    text: raw.text,
    params,
    uuid: raw.templateId ? raw.templateId : null,
  };
}

const checked = <T extends TSchema>(schema: T, params: unknown) => (matches(schema, params) ? params : null);

const MESSAGE_ADD = new Set(['message', 'messageChat']);
const MESSAGE_DELETE = new Set(['messageDelete', 'messageDeleteComplete']);
const READ_SELF = new Set(['readMessage', 'readMessageChat']);
const READ_OPPONENT = new Set(['readMessageOpponent', 'readMessageChatOpponent']);
const UNREAD = new Set(['unreadMessage', 'unreadMessageChat', 'chatUnread']);
const CHAT_LIST = new Set(['chatUserAdd', 'chatUserLeave', 'chatRename', 'chatUpdate', 'chatDelete', 'chatAvatar']);

/**
 * Reads the `im` and `tasks` commands Bitrix24 sends (PROTOCOL.md §3.6); anything else, or params
 * that do not have the documented shape, mean nothing here (null).
 */
export function accountChangeOf(body: PullBody): AccountChange | null {
  const { command, params } = body;
  if (body.module_id === 'tasks') {
    const task = checked(PullTaskParams, params);
    const taskId = task ? Number(task.TASK_ID) : Number.NaN;
    return Number.isInteger(taskId) && taskId > 0 ? { kind: 'task-changed', taskId } : null;
  }
  if (body.module_id !== 'im') return null;
  if (MESSAGE_ADD.has(command)) {
    const add = checked(PullMessageAddParams, params);
    if (!add) return null;
    const sender =
      add.users && !Array.isArray(add.users) ? Object.values(add.users).find((u) => Number(u.id) === add.message.senderId) : undefined;
    const authorName = sender ? sender.name || `${sender.first_name ?? ''} ${sender.last_name ?? ''}`.trim() : '';
    return {
      kind: 'message-new',
      dialogId: dialogKey(add.dialogId),
      message: imMessage(add.message),
      counter: add.counter,
      ...(authorName ? { authorName } : {}),
    };
  }
  if (command === 'messageUpdate') {
    const update = checked(PullMessageUpdateParams, params);
    return (
      update && { kind: 'chat-changed', dialogId: dialogKey(update.dialogId), edit: { id: update.id, change: 'edited', text: update.text } }
    );
  }
  if (MESSAGE_DELETE.has(command)) {
    const removed = checked(PullMessageDeleteParams, params);
    return (
      removed && {
        kind: 'chat-changed',
        dialogId: dialogKey(removed.dialogId),
        ...(removed.counter !== undefined ? { counter: removed.counter } : {}),
        edit: { id: removed.id, change: command === 'messageDelete' ? 'deleted' : 'removed' },
      }
    );
  }
  if (READ_SELF.has(command)) {
    const read = checked(PullReadParams, params);
    return read && { kind: 'chat-changed', dialogId: dialogKey(read.dialogId), counter: read.counter };
  }
  if (READ_OPPONENT.has(command)) {
    const read = checked(PullReadOpponentParams, params);
    return read && { kind: 'chat-changed', dialogId: dialogKey(read.dialogId) };
  }
  if (UNREAD.has(command)) {
    const unread = checked(PullUnreadParams, params);
    return unread && { kind: 'chat-changed', dialogId: dialogKey(unread.dialogId), counter: unread.counter };
  }
  if (CHAT_LIST.has(command)) return checked(PullChatChangeParams, params) && { kind: 'chat-list-changed' };
  return null;
}
