import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BridgeEvent } from '@multidesk/protocol/bridge';
import { parseEvent } from '../src/ui/bridgeClient.ts';
import { aheadOfTimeCheck } from '../src/ui/vite.config.ts';

const { good, bad } = samples();

test('the UI takes only bridge events of the declared shapes; anything else on the socket is ignored', () => {
  for (const event of good) assert.deepEqual(parseEvent(JSON.stringify(event)), event);
  for (const frame of bad) assert.equal(parseEvent(frame), null, frame);
  assert.equal(parseEvent(new ArrayBuffer(4)), null);
});

test('the check the build compiles ahead of time for the windows takes and refuses the same events', async () => {
  // Inside the package, so that the module's imports of typebox resolve as they do in the build.
  const dir = mkdtempSync(join(import.meta.dirname, '..', '.aot-check-'));
  try {
    const file = join(dir, 'bridgeEventCheck.mjs');
    writeFileSync(file, aheadOfTimeCheck());
    const { isBridgeEvent } = (await import(pathToFileURL(file).href)) as { isBridgeEvent(value: unknown): value is BridgeEvent };
    for (const event of good) assert.equal(isBridgeEvent(event), true, JSON.stringify(event));
    for (const frame of bad) {
      if (frame.startsWith('{')) assert.equal(isBridgeEvent(JSON.parse(frame)), false, frame);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function samples(): { good: unknown[]; bad: string[] } {
  const account = {
    id: 'a1b2c3d4',
    portalUrl: 'https://acme.bitrix24.com',
    portalTitle: 'Acme',
    userId: 1,
    userName: 'Anna',
    login: 'anna@example.com',
    kind: 'webhook',
    state: 'connected',
    connection: 'polling',
    unread: 2,
  };
  const message = { id: 9, authorId: 4, authorName: 'Ben', date: '2026-12-06T10:00:00+00:00', text: 'Hi', edited: false, deleted: false };
  const chat = {
    dialogId: '4',
    chatId: 12,
    kind: 'user',
    title: 'Ben',
    color: '#1f3b57',
    lastMessage: { id: 9, text: 'Hi', date: message.date, authorId: 4, authorName: 'Ben' },
    unread: 1,
  };
  const good = [
    { type: 'state', state: { accounts: [account], vault: { kind: 'keyring' } } },
    { type: 'chats-changed', accountId: 'a1b2c3d4', dialogId: 'chat7' },
    { type: 'chats-changed', accountId: 'a1b2c3d4' },
    { type: 'notify', accountId: 'a1b2c3d4', dialogId: '4', title: 'Ben · Acme', body: 'Hi' },
    { type: 'chat-delta', accountId: 'a1b2c3d4', dialogId: '4', chat, message },
    { type: 'chat-delta', accountId: 'a1b2c3d4', dialogId: '4', removedMessageId: 9, pending: [] },
  ];
  const bad = [
    JSON.stringify({ type: 'chat-delta', accountId: 'a1b2c3d4', dialogId: '4', message: { ...message, id: '9' } }),
    JSON.stringify({ type: 'chat-delta', accountId: 'a1b2c3d4', dialogId: '4', chat: { ...chat, unread: -1 } }),
    JSON.stringify({ type: 'chat-delta', accountId: 'a1b2c3d4', chat }),
    'not json',
    JSON.stringify({ type: 'unknown-event', accountId: 'a1b2c3d4' }),
    JSON.stringify({ type: 'chats-changed' }),
    JSON.stringify({ type: 'notify', accountId: 'a1b2c3d4', dialogId: '4', title: 'no body' }),
    JSON.stringify({ type: 'state', state: { accounts: [{ ...account, state: 'exploded' }], vault: { kind: 'keyring' } } }),
    JSON.stringify({ type: 'home-changed', accountId: '' }),
  ];
  return { good, bad };
}
