import {
  IM_CLIENT_MESSAGE_ID_MAX_LENGTH,
  IM_MESSAGE_MAX_LENGTH,
  IM_MESSAGES_DEFAULT_LIMIT,
  IM_MESSAGES_MAX_LIMIT,
  IM_RECENT_DEFAULT_LIMIT,
  IM_RECENT_MAX_LIMIT,
} from '@multidesk/protocol';
import { countersOf } from '../../im/counters.ts';
import { parseDialogId } from '../../im/dialogs.ts';
import { addGroupChat, deleteMessage, editMessage, type ImActor, readDialog, sendMessage } from '../../im/messaging.ts';
import { loadPeople } from '../../im/people.ts';
import { dialogGet, dialogMessages, type ImReader, recentList } from '../../im/reading.ts';
import { parseDateTime } from '../dateTime.ts';
import { invalidArgument, RestFailure } from '../envelope.ts';
import { isTruthy, param, type RestParams, toInteger } from '../params.ts';
import type { MethodTable, RestCall } from '../registry.ts';

const scopes = ['im'] as const;

const actor = (call: RestCall): ImActor => ({ ctx: call.ctx, portalId: call.portal.id, memberId: call.auth.memberId });
const reader = (call: RestCall): ImReader => ({
  db: call.ctx.db,
  portalId: call.portal.id,
  memberId: call.auth.memberId,
  now: call.ctx.now(),
});

/** MESSAGE: plain text kept as sent; 1..20000 characters, not only whitespace. */
function readText(params: RestParams): string {
  const raw = param(params, 'MESSAGE');
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : '';
  if (text.trim() === '') throw new RestFailure('MESSAGE_EMPTY', "Message can't be empty");
  let length = 0;
  for (const _ of text) if (++length > IM_MESSAGE_MAX_LENGTH) break;
  if (length > IM_MESSAGE_MAX_LENGTH) {
    throw new RestFailure('MESSAGE_TOO_LONG', `A message is at most ${IM_MESSAGE_MAX_LENGTH} characters.`);
  }
  return text;
}

function readMessageId(params: RestParams): number {
  const raw = param(params, 'MESSAGE_ID');
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,15}$/.test(text) || Number(text) === 0) throw new RestFailure('MESSAGE_ID_ERROR', 'MESSAGE_ID must be a message id.');
  return Number(text);
}

/** An optional non-negative integer parameter; junk is a 400 naming it. */
function optionalId(params: RestParams, name: string): number | undefined {
  const raw = param(params, name);
  if (raw === undefined || raw === '' || raw === null) return undefined;
  const value = toInteger(raw, name);
  if (value < 0) throw invalidArgument(`${name} must not be negative.`);
  return value;
}

function limitOf(params: RestParams, name: string, fallback: number, max: number): number {
  const value = optionalId(params, name);
  return value === undefined || value === 0 ? fallback : Math.min(value, max);
}

/** CLIENT_MESSAGE_ID (our extension): 1..100 characters, or absent. */
function readClientMessageId(params: RestParams): string | null {
  const raw = param(params, 'CLIENT_MESSAGE_ID');
  if (raw === undefined || raw === null || raw === '') return null;
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || text.length > IM_CLIENT_MESSAGE_ID_MAX_LENGTH) {
    throw invalidArgument(`CLIENT_MESSAGE_ID must be a text of at most ${IM_CLIENT_MESSAGE_ID_MAX_LENGTH} characters.`);
  }
  return text;
}

/** USERS as a list (`[3, 5]`, `{0: 3}`) or a comma-separated text. */
function readUserIds(params: RestParams): number[] {
  const raw = param(params, 'USERS');
  if (raw === undefined || raw === null || raw === '') return [];
  const values = typeof raw === 'string' || typeof raw === 'number' ? String(raw).split(',') : Object.values(raw as object);
  return [...new Set(values.map((v) => toInteger(typeof v === 'string' ? v.trim() : v, 'USERS')))];
}

async function chatAdd(call: RestCall) {
  const rawType = param(call.params, 'TYPE') ?? 'CHAT';
  const type = typeof rawType === 'string' ? rawType.toUpperCase() : '';
  if (type !== 'CHAT' && type !== 'OPEN') throw invalidArgument('TYPE must be CHAT or OPEN.');
  const userIds = readUserIds(call.params).filter((id) => id !== call.auth.memberId);
  const people = await loadPeople(call.ctx.db, call.portal.id, [call.auth.memberId, ...userIds]);
  const unknown = userIds.filter((id) => people.get(id)?.active !== 1);
  if (unknown.length > 0) throw invalidArgument(`USERS has ids that are not active users of this Bitrix24: ${unknown.join(', ')}.`);
  const rawTitle = param(call.params, 'TITLE');
  let title = typeof rawTitle === 'string' ? rawTitle.trim() : '';
  if (title.length > 255) throw invalidArgument('TITLE is at most 255 characters.');
  if (title === '') {
    const names = [call.auth.memberId, ...userIds].map((id) => people.get(id)?.name ?? '').filter(Boolean);
    title = `Chat with ${names.join(', ')}`.slice(0, 255);
  }
  const message = param(call.params, 'MESSAGE') === undefined ? null : readText(call.params);
  const chatId = await addGroupChat(actor(call), { type: type === 'OPEN' ? 'open' : 'chat', title, memberIds: userIds, message });
  return { result: chatId };
}

/** Bitrix24's im.* methods over the portal's chats (scope `im`). */
export const imMethods: MethodTable = {
  /** SKIP_CHAT, SKIP_DIALOG, UNREAD_ONLY; OFFSET + LIMIT (≤ 200) or LAST_MESSAGE_DATE to page. */
  'im.recent.list': {
    scopes,
    handler: async (call) => {
      const { params } = call;
      const dateText = param(params, 'LAST_MESSAGE_DATE');
      let before: number | undefined;
      if (typeof dateText === 'string' && dateText !== '') {
        const parsed = parseDateTime(dateText);
        if (parsed === undefined) throw invalidArgument('LAST_MESSAGE_DATE must be an ISO 8601 date-time.');
        // Dates are shown to the second: a whole second more may repeat an item, but never skips one.
        before = parsed + 1000;
      }
      const result = await recentList(reader(call), {
        ...(before === undefined ? {} : { before }),
        skipChats: isTruthy(param(params, 'SKIP_CHAT')),
        skipDialogs: isTruthy(param(params, 'SKIP_DIALOG')),
        unreadOnly: isTruthy(param(params, 'UNREAD_ONLY')),
        offset: optionalId(params, 'OFFSET') ?? 0,
        limit: limitOf(params, 'LIMIT', IM_RECENT_DEFAULT_LIMIT, IM_RECENT_MAX_LIMIT),
      });
      // Bitrix24 does not count the dialogs: its total is always -1.
      return { result, total: -1 };
    },
  },

  'im.dialog.get': {
    scopes,
    handler: async (call) => ({ result: await dialogGet(reader(call), parseDialogId(param(call.params, 'DIALOG_ID'))) }),
  },

  /** DIALOG_ID; LAST_ID pages back (older), FIRST_ID forward (newer); LIMIT 20 by default, at most 50. */
  'im.dialog.messages.get': {
    scopes,
    handler: async (call) => {
      const ref = parseDialogId(param(call.params, 'DIALOG_ID'));
      const lastId = optionalId(call.params, 'LAST_ID');
      const firstId = optionalId(call.params, 'FIRST_ID');
      const limit = limitOf(call.params, 'LIMIT', IM_MESSAGES_DEFAULT_LIMIT, IM_MESSAGES_MAX_LIMIT);
      const page = {
        limit,
        ...(lastId === undefined || lastId === 0 ? {} : { lastId }),
        ...(firstId === undefined ? {} : { firstId }),
      };
      return { result: await dialogMessages(reader(call), ref, page) };
    },
  },

  /** DIALOG_ID, MESSAGE; CLIENT_MESSAGE_ID makes a retry return the first message's id. */
  'im.message.add': {
    scopes,
    handler: async (call) => {
      const ref = parseDialogId(param(call.params, 'DIALOG_ID'));
      const text = readText(call.params);
      return { result: await sendMessage(actor(call), ref, text, readClientMessageId(call.params)) };
    },
  },

  'im.message.update': {
    scopes,
    handler: async (call) => {
      const id = readMessageId(call.params);
      return { result: await editMessage(actor(call), id, readText(call.params)) };
    },
  },

  'im.message.delete': {
    scopes,
    handler: async (call) => ({ result: await deleteMessage(actor(call), readMessageId(call.params)) }),
  },

  /** DIALOG_ID; MESSAGE_ID (optional, default the newest): read up to and including it. */
  'im.dialog.read': {
    scopes,
    handler: async (call) => {
      const ref = parseDialogId(param(call.params, 'DIALOG_ID'));
      const upTo = optionalId(call.params, 'MESSAGE_ID');
      return { result: await readDialog(actor(call), ref, upTo) };
    },
  },

  'im.counters.get': {
    scopes,
    handler: async (call) => ({ result: await countersOf(call.ctx.db, call.auth.memberId) }),
  },

  /** TYPE (CHAT or OPEN), TITLE, USERS, MESSAGE (a first message): the new chat's id. */
  'im.chat.add': { scopes, handler: chatAdd },
};
