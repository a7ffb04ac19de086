import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeJsonRpcIncoming, encodeNginxMessages, parseJsonRpcFrame, parseNginxFrames } from '../src/pullFraming.ts';

// The two frames of Bitrix24's "Custom Push&Pull client" page (settings/interactivity/custom-push-and-pull-client.md),
// with their elided `text` and `extra` filled in.
const DOCUMENTED =
  '#!NGINXNMS!#{"id":320146,"mid":"14526134350000000000320146","channel":"6221e0eb48981fce67cf4756e82e8102","tag":"672","time":"Thu, 29 Jun 2017 09:50:16 GMT","text":{"module_id":"main","command":"user_online","params":{"USER_ID":1}},"extra":{"server_time":"2017-10-03T08:36:01+02:00"}}#!NGINXNME!#' +
  '#!NGINXNMS!#{"id":320147,"mid":"14526134350000000000320147","channel":"6221e0eb48981fce67cf4756e82e8102","tag":"673","time":"Thu, 29 Jun 2017 09:50:17 GMT","text":{"module_id":"im","command":"messageChat","params":{"chatId":5}}}#!NGINXNME!#';

describe('server version 4 framing (#!NGINXNMS!#)', () => {
  test('reads every message of a frame, in order, with its mid and body', () => {
    const { messages, malformed } = parseNginxFrames(DOCUMENTED);
    assert.equal(malformed, 0);
    assert.deepEqual(
      messages.map((m) => [m.mid, m.body.module_id, m.body.command]),
      [
        ['14526134350000000000320146', 'main', 'user_online'],
        ['14526134350000000000320147', 'im', 'messageChat'],
      ],
    );
    assert.deepEqual(messages[1]?.body.params, { chatId: 5 });
  });

  test('what it encodes, it reads back; the frame stays on one line', () => {
    const text = encodeNginxMessages([
      {
        id: 7,
        mid: '00000000010000000000000007',
        channel: 'c'.repeat(32),
        tag: '001',
        time: 'Thu, 03 Dec 2026 18:00:00 GMT',
        text: { module_id: 'im', command: 'message', params: { text: 'line 1\nline 2' } },
      },
    ]);
    assert.equal(text.includes('\n'), false);
    const { messages } = parseNginxFrames(text);
    assert.deepEqual(messages[0]?.body.params, { text: 'line 1\nline 2' });
  });

  test('a part that is not JSON, or not a Pull message, is skipped and counted; the rest is read', () => {
    const frame = `#!NGINXNMS!#{not json#!NGINXNME!##!NGINXNMS!#{"mid":"1","text":{"command":"x"}}#!NGINXNME!#${DOCUMENTED}`;
    const { messages, malformed } = parseNginxFrames(frame);
    assert.equal(malformed, 2);
    assert.equal(messages.length, 2);
    assert.deepEqual(parseNginxFrames('ping'), { messages: [], malformed: 0 });
    assert.deepEqual(parseNginxFrames('#!NGINXNMS!#{"mid":"1"'), { messages: [], malformed: 0 }, 'a truncated frame has no message');
  });
});

describe('server version 5 framing (JSON-RPC 2.0)', () => {
  const incoming = {
    jsonrpc: '2.0',
    method: 'incoming.message',
    params: {
      mid: 'a1b2',
      body: { module_id: 'im', command: 'message', params: { chatId: 3 }, extra: {} },
      sender: { type: 2, id: '' },
      user_params: { counter: 4 },
      dictionary: { lang: 'en' },
    },
  };

  test('an incoming.message gives its mid and body, with user_params and dictionary merged into params', () => {
    const frame = parseJsonRpcFrame(JSON.stringify(incoming));
    assert.equal(frame.kind, 'messages');
    assert.ok(frame.kind === 'messages');
    assert.equal(frame.messages[0]?.mid, 'a1b2');
    assert.deepEqual(frame.messages[0]?.body.params, { chatId: 3, counter: 4, lang: 'en' });
  });

  test('a batch gives every message; ping is a ping; a response is nothing to do; junk is malformed', () => {
    const batch = parseJsonRpcFrame(JSON.stringify([incoming, { ...incoming, params: { ...incoming.params, mid: 'c3' } }]));
    assert.ok(batch.kind === 'messages');
    assert.deepEqual(
      batch.messages.map((m) => m.mid),
      ['a1b2', 'c3'],
    );
    assert.deepEqual(parseJsonRpcFrame('ping'), { kind: 'ping' });
    assert.deepEqual(parseJsonRpcFrame('{"jsonrpc":"2.0","id":1,"result":{}}'), { kind: 'other' });
    assert.deepEqual(parseJsonRpcFrame('{"broken"'), { kind: 'malformed' });
    assert.deepEqual(parseJsonRpcFrame('[1,2]'), { kind: 'malformed' });
    const bad = parseJsonRpcFrame(
      JSON.stringify({ jsonrpc: '2.0', method: 'incoming.message', params: { mid: 'x', body: { command: 'c' } } }),
    );
    assert.deepEqual(bad, { kind: 'messages', messages: [], malformed: 1 });
  });

  test('what the portal encodes, the client reads back', () => {
    const body = { module_id: 'tasks', command: 'task_update', params: { TASK_ID: 9 } };
    const frame = parseJsonRpcFrame(encodeJsonRpcIncoming({ mid: 'm9', body }));
    assert.ok(frame.kind === 'messages');
    assert.deepEqual(frame.messages[0], { mid: 'm9', body });
  });
});
