import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvent } from '../src/ui/bridgeClient.ts';

test('the UI takes only bridge events of the declared shapes; anything else on the socket is ignored', () => {
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
  const good = [
    { type: 'state', state: { accounts: [account], vault: { kind: 'keyring' } } },
    { type: 'chats-changed', accountId: 'a1b2c3d4', dialogId: 'chat7' },
    { type: 'chats-changed', accountId: 'a1b2c3d4' },
    { type: 'notify', accountId: 'a1b2c3d4', dialogId: '4', title: 'Ben · Acme', body: 'Hi' },
  ];
  for (const event of good) assert.deepEqual(parseEvent(JSON.stringify(event)), event);

  const bad = [
    'not json',
    JSON.stringify({ type: 'unknown-event', accountId: 'a1b2c3d4' }),
    JSON.stringify({ type: 'chats-changed' }),
    JSON.stringify({ type: 'notify', accountId: 'a1b2c3d4', dialogId: '4', title: 'no body' }),
    JSON.stringify({ type: 'state', state: { accounts: [{ ...account, state: 'exploded' }], vault: { kind: 'keyring' } } }),
    JSON.stringify({ type: 'home-changed', accountId: '' }),
  ];
  for (const frame of bad) assert.equal(parseEvent(frame), null, frame);
  assert.equal(parseEvent(new ArrayBuffer(4)), null);
});
