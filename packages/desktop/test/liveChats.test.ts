import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatView, MessageView } from '@multidesk/protocol';
import { toMessageView } from '../src/core/chats/chatService.ts';
import { LiveChats } from '../src/core/chats/liveChats.ts';

const ME = { id: 1, name: 'Anna Smirnova' };
const BEN = 2;

function keptDialog(): LiveChats {
  const live = new LiveChats(30);
  const message: MessageView = {
    id: 7,
    authorId: BEN,
    authorName: 'Ben',
    date: '2026-01-01T10:00:00+00:00',
    text: 'hi',
    edited: false,
    deleted: false,
  };
  const chat: ChatView = { dialogId: 'chat3', chatId: 3, kind: 'chat', title: 'Team', color: '#000', lastMessage: null, unread: 0 };
  live.keepList('a', live.mark('a'), [chat], 0);
  live.keepDialog('a', live.mark('a'), 'chat3', { messages: [message], hasOlder: false, posted: [], at: 0 });
  return live;
}

test('a message edited and then deleted while live shows as the portal lists it afterwards: deleted, not edited (forced drops, issue 17)', () => {
  const live = keptDialog();
  live.apply('a', { kind: 'chat-changed', dialogId: 'chat3', edit: { id: 7, change: 'edited', text: 'hi again' } }, ME);
  live.apply('a', { kind: 'chat-changed', dialogId: 'chat3', edit: { id: 7, change: 'deleted' } }, ME);
  const shown = live.dialog('a', 'chat3')?.messages[0];
  // What im.dialog.messages.get says of it: params IS_DELETED only.
  const fetched = toMessageView(
    { id: 7, chat_id: 3, author_id: BEN, date: '2026-01-01T10:00:00+00:00', text: '', params: { IS_DELETED: 'Y' }, uuid: null },
    new Map([[BEN, 'Ben']]),
  );
  assert.deepEqual(shown, fetched);
});
