import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { type ImUserClient, imUser, newImUser } from './imClient.ts';
import { restPortal, webhookFor } from './tokens.ts';

const { portal } = await restPortal({ limits: { restBurst: 100_000 } });

let tess: ImUserClient;
let uma: ImUserClient;
let vic: ImUserClient;
before(async () => {
  tess = await newImUser(portal, 'tess@example.com', ['acme']);
  uma = await newImUser(portal, 'uma@example.com', ['acme']);
  vic = await newImUser(portal, 'vic@example.com', ['acme']);
});

/** A fresh group chat of tess (owner) and uma, so each test starts from an empty history. */
async function teamChat(title = 'Team'): Promise<string> {
  const chatId: number = await tess.result('im.chat.add', { TITLE: title, USERS: [uma.id] });
  return `chat${chatId}`;
}

test('the first im.message.add to a user id creates the private dialog, and each side sees it named after the other', async () => {
  const first = await newImUser(portal, 'pia@example.com', ['acme']);
  const second = await newImUser(portal, 'quinn@example.com', ['acme']);
  assert.deepEqual((await second.result('im.recent.list')).items, []);
  const id: number = await first.result('im.message.add', { DIALOG_ID: second.id, MESSAGE: 'Hello Quinn' });
  assert.ok(id > 0);

  const [item] = (await second.result('im.recent.list')).items;
  assert.equal(item.id, first.id, 'a private dialog is named by the other user id, a number');
  assert.equal(item.type, 'user');
  assert.equal(item.title, 'pia Tester');
  assert.deepEqual(
    { id: item.message.id, text: item.message.text, author_id: item.message.author_id },
    { id, text: 'Hello Quinn', author_id: first.id },
  );
  assert.equal(item.counter, 1);
  assert.match(item.date_update, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  assert.equal(item.user.id, first.id);

  const seenBySender = (await first.result('im.recent.list')).items[0];
  assert.equal(seenBySender.id, second.id);
  assert.equal(seenBySender.chat_id, item.chat_id);
  assert.equal(seenBySender.counter, 0);

  const dialog = await second.result('im.dialog.get', { DIALOG_ID: first.id });
  assert.equal(dialog.id, item.chat_id);
  assert.equal(dialog.type, 'private');
  assert.equal(dialog.dialog_id, String(first.id));
  assert.equal(dialog.title, 'pia Tester');
  assert.deepEqual(
    dialog.users,
    [first.id, second.id].sort((a, b) => a - b),
  );
  // The same chat also answers to chat<N>, still named by the other side.
  assert.equal((await second.result('im.dialog.get', { DIALOG_ID: `chat${item.chat_id}` })).dialog_id, String(first.id));

  await first.result('im.message.add', { DIALOG_ID: second.id, MESSAGE: 'Still one dialog' });
  assert.equal((await second.result('im.recent.list')).items.length, 1);
});

test('im.dialog.get of a colleague with no messages yet describes the dialog to be, without creating it', async () => {
  const dialog = await vic.result('im.dialog.get', { DIALOG_ID: uma.id });
  assert.equal(dialog.id, 0);
  assert.equal(dialog.dialog_id, String(uma.id));
  assert.equal(dialog.title, 'uma Tester');
  const empty = await vic.result('im.dialog.messages.get', { DIALOG_ID: uma.id });
  assert.deepEqual(empty.messages, []);
  assert.equal(empty.chat_id, 0);
  assert.equal((await vic.result('im.recent.list')).items.length, 0);
});

test('im.chat.add makes a group chat of the caller and USERS, with its first message, listed first for both', async () => {
  const chatId: number = await tess.result('im.chat.add', {
    TYPE: 'OPEN',
    TITLE: 'Launch',
    USERS: [uma.id, vic.id],
    MESSAGE: 'Kick-off at 10',
  });
  const dialog = await vic.result('im.dialog.get', { DIALOG_ID: `chat${chatId}` });
  assert.deepEqual(
    { id: dialog.id, type: dialog.type, title: dialog.title, owner: dialog.owner, user_counter: dialog.user_counter },
    { id: chatId, type: 'open', title: 'Launch', owner: tess.id, user_counter: 3 },
  );
  const [top] = (await vic.result('im.recent.list')).items;
  assert.equal(top.id, `chat${chatId}`);
  assert.equal(top.type, 'chat');
  assert.equal(top.message.text, 'Kick-off at 10');
  assert.equal(top.counter, 1);
});

test('im.chat.add refuses USERS that are not active users of this Bitrix24', async () => {
  const stranger = await newImUser(portal, 'globex-only@example.com', ['globex']);
  const reply = await tess.call('im.chat.add', { TITLE: 'Mixed', USERS: [uma.id, stranger.id] });
  assert.equal(reply.status, 400);
  assert.equal(reply.body.error, 'INVALID_ARG_VALUE');
});

test('im.chat.add refuses a TYPE that is not text, even an object whose toString is not a function', async () => {
  for (const TYPE of [{ toString: 1 }, [{ toString: 1 }], { CHAT: 1 }]) {
    const reply = await tess.call('im.chat.add', { TITLE: 'Typed', TYPE });
    assert.equal(reply.status, 400, JSON.stringify(TYPE));
    assert.equal(reply.body.error, 'INVALID_ARG_VALUE');
  }
});

test('only members read or write a chat, and a chat that does not exist answers the same ACCESS_DENIED', async () => {
  const dialog = await teamChat();
  await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'members only' });
  for (const [method, params] of [
    ['im.dialog.get', { DIALOG_ID: dialog }],
    ['im.dialog.messages.get', { DIALOG_ID: dialog }],
    ['im.message.add', { DIALOG_ID: dialog, MESSAGE: 'let me in' }],
    ['im.dialog.read', { DIALOG_ID: dialog }],
  ] as const) {
    const outsider = await vic.call(method, params);
    const missing = await vic.call(method, { ...params, DIALOG_ID: 'chat999999' });
    assert.equal(outsider.status, 403, method);
    assert.equal(outsider.body.error, 'ACCESS_DENIED', method);
    assert.deepEqual(missing.body, outsider.body, method);
  }
  const messages = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog });
  assert.deepEqual(
    messages.messages.map((m: { text: string }) => m.text),
    ['members only'],
  );
});

test('a user of another Bitrix24 cannot be written to or looked up as a dialog', async () => {
  const stranger = await newImUser(portal, 'globex-person@example.com', ['globex']);
  for (const method of ['im.message.add', 'im.dialog.get']) {
    const reply = await tess.call(method, { DIALOG_ID: stranger.id, MESSAGE: 'hi' });
    assert.equal(reply.status, 403, method);
    assert.equal(reply.body.error, 'ACCESS_DENIED');
  }
  // And the other way round: a globex token does not reach acme's chats.
  const dialog = await teamChat();
  assert.equal((await stranger.call('im.dialog.messages.get', { DIALOG_ID: dialog })).body.error, 'ACCESS_DENIED');
});

test('a repeated CLIENT_MESSAGE_ID from the same user in the same chat returns the first message id and adds nothing', async () => {
  const dialog = await teamChat();
  const first = await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'once', CLIENT_MESSAGE_ID: 'c-1' });
  const again = await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'once', CLIENT_MESSAGE_ID: 'c-1' });
  const racing = await Promise.all(
    [1, 2, 3].map(() => tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'once', CLIENT_MESSAGE_ID: 'c-1' })),
  );
  assert.equal(again, first);
  assert.deepEqual(racing, [first, first, first]);
  const { messages } = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog });
  assert.equal(messages.length, 1);
  assert.equal(messages[0].uuid, 'c-1');
  assert.equal((await uma.result('im.counters.get')).CHAT[dialog.slice(4)], 1);

  const fromUma = await uma.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'mine', CLIENT_MESSAGE_ID: 'c-1' });
  const otherChat = await tess.result('im.message.add', { DIALOG_ID: await teamChat(), MESSAGE: 'there', CLIENT_MESSAGE_ID: 'c-1' });
  assert.equal(new Set([first, fromUma, otherChat]).size, 3, 'another author or another chat makes a new message');
});

test('im.message.update edits only the caller own messages and marks them edited', async () => {
  const dialog = await teamChat();
  const id = await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'draft' });
  const other = await uma.call('im.message.update', { MESSAGE_ID: id, MESSAGE: 'hijacked' });
  assert.equal(other.status, 403);
  assert.equal(other.body.error, 'ACCESS_DENIED');
  assert.equal(await tess.result('im.message.update', { MESSAGE_ID: id, MESSAGE: 'final' }), true);
  const [message] = (await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog })).messages;
  assert.deepEqual({ text: message.text, params: message.params }, { text: 'final', params: { IS_EDITED: 'Y' } });
  assert.equal((await tess.call('im.message.update', { MESSAGE_ID: id, MESSAGE: '   ' })).body.error, 'MESSAGE_EMPTY');
  assert.equal((await tess.call('im.message.update', { MESSAGE_ID: 'x', MESSAGE: 'y' })).body.error, 'MESSAGE_ID_ERROR');
});

test('im.message.delete removes only the caller own messages, keeping their place without the text', async () => {
  const dialog = await teamChat();
  const id = await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'oops' });
  const other = await uma.call('im.message.delete', { MESSAGE_ID: id });
  assert.equal(other.status, 403);
  assert.equal(other.body.error, 'ACCESS_DENIED');
  assert.equal((await uma.result('im.counters.get')).CHAT[dialog.slice(4)], 1);

  assert.equal(await tess.result('im.message.delete', { MESSAGE_ID: id }), true);
  assert.equal(await tess.result('im.message.delete', { MESSAGE_ID: id }), true, 'deleting twice is harmless');
  const [message] = (await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog })).messages;
  assert.deepEqual({ id: message.id, text: message.text, params: message.params }, { id, text: '', params: { IS_DELETED: 'Y' } });
  assert.equal((await uma.result('im.counters.get')).CHAT[dialog.slice(4)], undefined, 'a deleted unread message is no longer unread');
  assert.equal((await tess.call('im.message.update', { MESSAGE_ID: id, MESSAGE: 'back' })).status, 403, 'a deleted message stays deleted');
});

test('counters count what others wrote after the read mark, per chat and per dialog, and im.dialog.read clears them', async () => {
  const reader = await newImUser(portal, 'reader@example.com', ['acme']);
  const chatId: number = await tess.result('im.chat.add', { TITLE: 'Counted', USERS: [reader.id] });
  for (const text of ['one', 'two', 'three']) await tess.result('im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: text });
  await uma.result('im.message.add', { DIALOG_ID: reader.id, MESSAGE: 'psst' });
  await reader.result('im.message.add', { DIALOG_ID: uma.id, MESSAGE: 'my own words never count' });
  await uma.result('im.message.add', { DIALOG_ID: reader.id, MESSAGE: 'psst again' });

  assert.deepEqual(await reader.result('im.counters.get'), {
    CHAT: { [chatId]: 3 },
    CHAT_MUTED: {},
    CHAT_UNREAD: {},
    DIALOG: { [uma.id]: 1 },
    DIALOG_UNREAD: {},
    LINES: {},
    TYPE: { ALL: 4, CHAT: 3, DIALOG: 1, LINES: 0, NOTIFY: 0, MESSENGER: 4 },
  });
  const items = (await reader.result('im.recent.list')).items as { id: string | number; counter: number }[];
  assert.deepEqual(
    items.map((i) => [i.id, i.counter]),
    [
      [uma.id, 1],
      [`chat${chatId}`, 3],
    ],
  );
  assert.deepEqual(
    (await reader.result('im.recent.list', { UNREAD_ONLY: 'Y', SKIP_DIALOG: 'Y' })).items.map((i: { id: string }) => i.id),
    [`chat${chatId}`],
  );

  const read = await reader.result('im.dialog.read', { DIALOG_ID: `chat${chatId}` });
  assert.equal(read.dialogId, `chat${chatId}`);
  assert.equal(read.chatId, chatId);
  assert.equal(read.counter, 0);
  assert.ok(read.lastId > 0);
  const after = await reader.result('im.counters.get');
  assert.deepEqual(after.CHAT, {});
  assert.deepEqual(after.TYPE, { ALL: 1, CHAT: 0, DIALOG: 1, LINES: 0, NOTIFY: 0, MESSENGER: 1 });
});

test('im.dialog.read with MESSAGE_ID reads up to that message only, and the read mark never moves back', async () => {
  const dialog = await teamChat();
  const ids: number[] = [];
  for (const text of ['a', 'b', 'c', 'd']) ids.push(await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: text }));
  const partly = await uma.result('im.dialog.read', { DIALOG_ID: dialog, MESSAGE_ID: ids[1] });
  assert.deepEqual({ counter: partly.counter, lastId: partly.lastId }, { counter: 2, lastId: ids[1] });
  const back = await uma.result('im.dialog.read', { DIALOG_ID: dialog, MESSAGE_ID: ids[0] });
  assert.deepEqual({ counter: back.counter, lastId: back.lastId }, { counter: 2, lastId: ids[1] });
  const all = await uma.result('im.dialog.read', { DIALOG_ID: dialog, MESSAGE_ID: 10_000_000 });
  assert.deepEqual({ counter: all.counter, lastId: all.lastId }, { counter: 0, lastId: ids[3] });
});

test('writing in a chat reads it for the writer', async () => {
  const dialog = await teamChat();
  await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'question?' });
  assert.equal((await uma.result('im.counters.get')).CHAT[dialog.slice(4)], 1);
  await uma.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'answer' });
  assert.equal((await uma.result('im.counters.get')).CHAT[dialog.slice(4)], undefined);
  assert.equal((await tess.result('im.counters.get')).CHAT[dialog.slice(4)], 1);
});

test('im.dialog.messages.get answers newest first and pages back by LAST_ID without gaps or repeats', async () => {
  const dialog = await teamChat();
  const sent: number[] = [];
  for (let i = 1; i <= 55; i++) {
    const author = i % 2 ? tess : uma;
    sent.push(await author.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: `message ${i}` }));
  }
  const first = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog });
  assert.equal(first.messages.length, 20, 'Bitrix24 gives 20 by default');
  assert.equal(first.chat_id, Number(dialog.slice(4)));
  assert.deepEqual(first.users.map((u: { id: number }) => u.id).sort(), [tess.id, uma.id].sort());
  const seen: number[] = [];
  let lastId: number | undefined;
  for (;;) {
    const page = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog, LIMIT: 20, ...(lastId ? { LAST_ID: lastId } : {}) });
    if (page.messages.length === 0) break;
    assert.ok(page.messages.length <= 20);
    seen.push(...page.messages.map((m: { id: number }) => m.id));
    lastId = page.messages.at(-1).id;
  }
  assert.deepEqual(seen, [...sent].reverse());
  const forward = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog, FIRST_ID: sent[51], LIMIT: 10 });
  assert.deepEqual(
    forward.messages.map((m: { id: number }) => m.id),
    [sent[54], sent[53], sent[52]],
  );
  const capped = await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog, LIMIT: 500 });
  assert.equal(capped.messages.length, 50, 'at most 50 a page');
});

test('an HTML or script payload is stored and returned verbatim, as plain text', async () => {
  const dialog = await teamChat();
  const payload = `<script>alert("x")</script><img src=x onerror=alert(1)> & &amp; "quotes" 'single' [b]bb[/b] \u0000 😀`;
  const id = await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: payload });
  const [message] = (await uma.result('im.dialog.messages.get', { DIALOG_ID: dialog })).messages;
  assert.equal(message.id, id);
  assert.equal(message.text, payload);
  assert.equal((await uma.result('im.recent.list')).items.find((i: { id: string }) => i.id === dialog).message.text, payload);
  const raw = await uma.call('im.dialog.messages.get', { DIALOG_ID: dialog });
  assert.match(raw.headers.get('content-type') ?? '', /^application\/json/);
});

test('an empty, blank or over-20000-character message is refused with 400, and 20000 characters are accepted', async () => {
  const dialog = await teamChat();
  for (const MESSAGE of [undefined, '', '   \n\t ']) {
    const reply = await tess.call('im.message.add', { DIALOG_ID: dialog, ...(MESSAGE === undefined ? {} : { MESSAGE }) });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error, 'MESSAGE_EMPTY');
  }
  const tooLong = await tess.call('im.message.add', { DIALOG_ID: dialog, MESSAGE: 'x'.repeat(20_001) });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error, 'MESSAGE_TOO_LONG');
  // Characters, not UTF-16 units: 20000 emoji fit.
  const emoji = '😀'.repeat(20_000);
  assert.ok(await tess.result('im.message.add', { DIALOG_ID: dialog, MESSAGE: emoji }));
  assert.equal((await tess.call('im.message.add', { DIALOG_ID: dialog, MESSAGE: `${emoji}!` })).body.error, 'MESSAGE_TOO_LONG');
  const missing = await tess.call('im.message.add', { MESSAGE: 'to nobody' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, 'DIALOG_ID_EMPTY');
  assert.equal((await tess.call('im.message.add', { DIALOG_ID: 'group7', MESSAGE: 'x' })).status, 400);
});

test('im.recent.list pages with OFFSET and LIMIT and says whether more follow', async () => {
  const busy = await newImUser(portal, 'busy@example.com', ['acme']);
  for (let i = 0; i < 5; i++) await busy.result('im.chat.add', { TITLE: `Room ${i}`, USERS: [tess.id] });
  const first = await busy.result('im.recent.list', { LIMIT: 2 });
  const second = await busy.result('im.recent.list', { LIMIT: 2, OFFSET: 2 });
  const last = await busy.result('im.recent.list', { LIMIT: 2, OFFSET: 4 });
  assert.deepEqual(
    [first, second, last].map((p) => [p.items.map((i: { title: string }) => i.title), p.hasMore]),
    [
      [['Room 4', 'Room 3'], true],
      [['Room 2', 'Room 1'], true],
      [['Room 0'], false],
    ],
  );
});

test('the im methods need the im scope', async () => {
  const hook = await webhookFor(portal, 'acme', 'anna@example.com', ['user']);
  const reply = await fetch(`${hook.url}/im.counters.get`);
  assert.equal(reply.status, 403);
  assert.equal((await reply.json()).error, 'insufficient_scope');
  const withIm = await webhookFor(portal, 'acme', 'anna@example.com', ['im']);
  assert.equal((await fetch(`${withIm.url}/im.counters.get`)).status, 200);
});

test('im methods run inside a batch with the caller rights', async () => {
  const dialog = await teamChat();
  const anna = await imUser(portal, 'acme', 'anna@example.com');
  const reply = await tess.result('batch', {
    halt: 0,
    cmd: {
      sent: `im.message.add?DIALOG_ID=${dialog}&MESSAGE=from%20a%20batch`,
      page: `im.dialog.messages.get?DIALOG_ID=${dialog}&LIMIT=1`,
    },
  });
  assert.equal(reply.result.page.messages[0].id, reply.result.sent);
  assert.equal((await anna.call('im.dialog.get', { DIALOG_ID: dialog })).status, 403);
});
