import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PullConfig } from '@multidesk/protocol';
import { configExpired, pullConnectionUrl } from '../src/core/realtime/pullClient.ts';
import { accountChangeOf } from '../src/core/realtime/pullCommands.ts';

// The config of Bitrix24's docs (settings/interactivity/push-and-pull/pull-application-config-get.md,
// PROTOCOL.md §3.2), with the cloud's shared push server.
const CLOUD: PullConfig = {
  server: {
    version: 4,
    server_enabled: true,
    mode: 'shared',
    hostname: 'x.bitrix24.com',
    long_polling: 'https://rtc-cloud-ms1.bitrix.info/sub2/',
    long_pooling_secure: 'https://rtc-cloud-ms1.bitrix.info/sub2/',
    websocket_enabled: true,
    websocket: 'wss://rtc-cloud-ms1.bitrix.info/subws2/',
    websocket_secure: 'wss://rtc-cloud-ms1.bitrix.info/subws/',
    publish_enabled: true,
    config_timestamp: 1774886062,
  },
  api: { revision_web: 19, revision_mobile: 3 },
  channels: {
    shared: { id: 'aaaa.sig1', start: '2026-03-31T17:05:18+02:00', end: '2026-04-01T05:05:23+02:00', type: 'shared' },
    private: {
      id: 'bbbb:cccc.sig2',
      public_id: 'cccc.sig3',
      start: '2026-03-31T17:05:18+02:00',
      end: '2026-04-01T05:05:23+02:00',
      type: 'private',
    },
  },
  exp: 1775052318,
  clientId: 'fcda45',
};

describe('the connection address (JS SDK getConnectionPath)', () => {
  test('version 4 on the cloud: both channels, private first, the required clientId, mid and revision 19', () => {
    const url = new URL(pullConnectionUrl(CLOUD, { secure: true, longPolling: false, mid: '14526134350000000000320146' }));
    assert.equal(`${url.origin}${url.pathname}`, 'wss://rtc-cloud-ms1.bitrix.info/subws/');
    assert.equal(url.searchParams.get('CHANNEL_ID'), 'bbbb:cccc.sig2/aaaa.sig1');
    assert.equal(url.searchParams.get('clientId'), 'fcda45');
    assert.equal(url.searchParams.get('mid'), '14526134350000000000320146');
    assert.equal(url.searchParams.get('revision'), '19');
    assert.equal(url.searchParams.has('jsonRpc'), false);
    assert.equal(url.searchParams.has('binaryMode'), false, 'the text framing is read, not protobuf');
  });

  test('long polling takes the secure long-polling address (spelled long_pooling_secure) and no mid when there is none', () => {
    const url = new URL(pullConnectionUrl(CLOUD, { secure: true, longPolling: true, mid: null }));
    assert.equal(`${url.origin}${url.pathname}`, 'https://rtc-cloud-ms1.bitrix.info/sub2/');
    assert.equal(url.searchParams.has('mid'), false);
  });

  test('version 5: the JWT instead of channel ids, and JSON-RPC', () => {
    const v5: PullConfig = { ...CLOUD, server: { ...CLOUD.server, version: 5, mode: 'personal' }, jwt: 'h.p.s' };
    const url = new URL(pullConnectionUrl(v5, { secure: false, longPolling: false, mid: null }));
    assert.equal(url.searchParams.get('token'), 'h.p.s');
    assert.equal(url.searchParams.has('CHANNEL_ID'), false);
    assert.equal(url.searchParams.get('jsonRpc'), 'true');
    assert.equal(url.searchParams.has('clientId'), false);
    assert.equal(`${url.origin}${url.pathname}`, 'wss://rtc-cloud-ms1.bitrix.info/subws2/');
  });

  test('a shared server without clientId, or a config without channels, is an error, not a bad connection', () => {
    assert.throws(() => pullConnectionUrl({ ...CLOUD, clientId: undefined }, { secure: true, longPolling: false, mid: null }), /clientId/);
    assert.throws(
      () =>
        pullConnectionUrl(
          { ...CLOUD, server: { ...CLOUD.server, mode: 'personal' }, channels: {} },
          { secure: true, longPolling: false, mid: null },
        ),
      /no channel/,
    );
  });

  test('a config is stale once a channel ends or exp passes', () => {
    const end = Date.parse('2026-04-01T05:05:23+02:00');
    assert.equal(configExpired(CLOUD, end - 60_000), false);
    assert.equal(configExpired(CLOUD, end), true);
    assert.equal(configExpired({ ...CLOUD, exp: Math.floor((end - 120_000) / 1000) }, end - 60_000), true);
  });
});

describe('im and tasks commands (PROTOCOL.md §3.6)', () => {
  test('message: a private dialog named by the peer (a number), with the receiver counter, the message and its author as `users` names them', () => {
    const change = accountChangeOf({
      module_id: 'im',
      command: 'message',
      params: {
        chatId: 12,
        dialogId: 4,
        counter: 3,
        message: {
          id: 901,
          chatId: 12,
          senderId: 4,
          recipientId: '1',
          date: '2026-12-06T10:00:00+00:00',
          text: 'Hi',
          params: [],
          templateId: 'c0ffee',
          prevId: 900,
          system: 'N',
        },
        users: { 4: { id: 4, name: 'Ben Carter' } },
        files: [],
        chat: [],
        notify: true,
      },
    });
    assert.deepEqual(change, {
      kind: 'message-new',
      dialogId: '4',
      counter: 3,
      message: { id: 901, chat_id: 12, author_id: 4, date: '2026-12-06T10:00:00+00:00', text: 'Hi', params: null, uuid: 'c0ffee' },
      authorName: 'Ben Carter',
    });
  });

  test('messageChat, messageUpdate, messageDelete, reads and unread name their chat (an edit or deletion, the message and what happened); chat changes reload the list', () => {
    const chat = (command: string, params: Record<string, unknown>) => accountChangeOf({ module_id: 'im', command, params });
    const message = {
      id: 5,
      chatId: 7,
      senderId: 2,
      date: '2026-12-06T10:00:00+00:00',
      text: 'x',
      params: { IS_EDITED: 'Y' },
      templateId: '',
    };
    assert.deepEqual(chat('messageChat', { chatId: 7, dialogId: 'chat7', counter: 1, message }), {
      kind: 'message-new',
      dialogId: 'chat7',
      counter: 1,
      message: { id: 5, chat_id: 7, author_id: 2, date: message.date, text: 'x', params: { IS_EDITED: 'Y' }, uuid: null },
    });
    assert.deepEqual(chat('messageUpdate', { id: 5, chatId: 7, senderId: 2, dialogId: 'chat7', text: 'y', params: [] }), {
      kind: 'chat-changed',
      dialogId: 'chat7',
      edit: { id: 5, change: 'edited', text: 'y' },
    });
    assert.deepEqual(chat('messageDelete', { id: 5, chatId: 7, dialogId: 'chat7', counter: 0 }), {
      kind: 'chat-changed',
      dialogId: 'chat7',
      counter: 0,
      edit: { id: 5, change: 'deleted' },
    });
    assert.deepEqual(chat('messageDeleteComplete', { id: 5, chatId: 7, dialogId: 'chat7' }), {
      kind: 'chat-changed',
      dialogId: 'chat7',
      edit: { id: 5, change: 'removed' },
    });
    // Bitrix24 sends readMessage's dialogId as a string.
    assert.deepEqual(chat('readMessage', { chatId: 12, dialogId: '4', lastId: 901, counter: 0 }), {
      kind: 'chat-changed',
      dialogId: '4',
      counter: 0,
    });
    assert.deepEqual(chat('readMessageChatOpponent', { chatId: 7, dialogId: 'chat7', userId: 3, lastId: 5 }), {
      kind: 'chat-changed',
      dialogId: 'chat7',
    });
    assert.deepEqual(chat('unreadMessageChat', { chatId: 7, dialogId: 'chat7', counter: 2 }), {
      kind: 'chat-changed',
      dialogId: 'chat7',
      counter: 2,
    });
    assert.deepEqual(chat('chatRename', { chatId: 7, name: 'New name' }), { kind: 'chat-list-changed' });
    assert.deepEqual(chat('chatUserAdd', { chatId: 7, dialogId: 'chat7', newUsers: [9] }), { kind: 'chat-list-changed' });
  });

  test('tasks commands name the task; malformed params and unknown commands mean nothing', () => {
    assert.deepEqual(accountChangeOf({ module_id: 'tasks', command: 'task_update', params: { TASK_ID: '42', AFTER: {} } }), {
      kind: 'task-changed',
      taskId: 42,
    });
    assert.equal(accountChangeOf({ module_id: 'tasks', command: 'task_add', params: { TASK_ID: 'x' } }), null);
    assert.equal(accountChangeOf({ module_id: 'im', command: 'message', params: { chatId: 'not a number' } }), null);
    assert.equal(accountChangeOf({ module_id: 'im', command: 'startWriting', params: { dialogId: 'chat7' } }), null);
    assert.equal(accountChangeOf({ module_id: 'online', command: 'userStatusChange', params: { user_id: 1 } }), null);
  });
});
