import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { Outbox } from '../src/core/chats/outbox.ts';

/** The outbox's own table: a refusal keeps its code beside the portal's words, also in an outbox made before codes were kept. */

test('a refusal is kept with its code, and clearing it puts the message back in the queue', () => {
  const db = new DatabaseSync(':memory:');
  const outbox = new Outbox(db);
  outbox.add({ clientId: 'a', dialogId: 'chat1', text: 'first', createdAt: 1 });
  outbox.add({ clientId: 'b', dialogId: 'chat1', text: 'second', createdAt: 2 });
  outbox.setError('a', { code: 'ACCESS_DENIED', message: 'Access denied' });
  assert.deepEqual(outbox.get('a')?.error, { code: 'ACCESS_DENIED', message: 'Access denied' });
  assert.equal(outbox.next()?.clientId, 'b', 'a refused message waits for Retry');
  outbox.setError('a', null);
  assert.equal(outbox.get('a')?.error, null);
  assert.equal(outbox.next()?.clientId, 'a');
  db.close();
});

test('an outbox saved by an older version opens, and its refusal keeps its words with no code', () => {
  const db = new DatabaseSync(':memory:');
  db.exec(`CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    dialog_id TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    error TEXT
  )`);
  db.prepare('INSERT INTO outbox (client_id, dialog_id, text, created_at, error) VALUES (?, ?, ?, ?, ?)').run(
    'old',
    'chat1',
    'written before the update',
    1,
    'You are not a member of this chat.',
  );
  db.prepare('INSERT INTO outbox (client_id, dialog_id, text, created_at) VALUES (?, ?, ?, ?)').run('waiting', 'chat1', 'to send', 2);
  const outbox = new Outbox(db);
  assert.deepEqual(outbox.get('old')?.error, { code: '', message: 'You are not a member of this chat.' });
  assert.equal(outbox.next()?.clientId, 'waiting');
  outbox.setError('waiting', { code: 'MESSAGE_EMPTY', message: 'Empty' });
  assert.deepEqual(outbox.get('waiting')?.error, { code: 'MESSAGE_EMPTY', message: 'Empty' });
  // Opening it again does not add the column twice.
  assert.doesNotThrow(() => new Outbox(db));
  db.close();
});
