import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { call, restPortal } from './tokens.ts';

/**
 * Regressions (issue 17, D1 and D4): multipart bodies were read into memory on every route before
 * authentication, past the 1 MiB body limit, and a truncated one answered 500.
 */

const { portal, acme } = await restPortal();
const BOUNDARY = 'multidesk-test-boundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

function field(name: string, value: string): string {
  return `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

function multipart(fields: [string, string][]): string {
  return `${fields.map(([name, value]) => field(name, value)).join('')}--${BOUNDARY}--\r\n`;
}

/**
 * Streams a chunked body of up to `totalBytes` (no content-length, as an attacker would send it)
 * and stops writing once the server answers. Returns the status and how much had been written
 * by then: a server that reads the whole body before answering makes that the whole size.
 */
function streamBody(path: string, host: string, contentType: string, totalBytes: number) {
  const url = new URL(path, `http://127.0.0.1:${portal.port}`);
  return new Promise<{ status: number; written: number; body: string }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const chunk = Buffer.from(field('f', 'x'.repeat(64 * 1024 - 100)));
    const req = request(url, { method: 'POST', headers: { host, 'content-type': contentType, 'transfer-encoding': 'chunked' } });
    req.on('response', (response) => {
      answered = true;
      const seen = written;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        body += text;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, written: seen, body });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && written < totalBytes) {
        written += chunk.length;
        if (!req.write(chunk)) return req.once('drain', pump);
      }
      if (!answered) req.end();
      return undefined;
    };
    pump();
  });
}

const MiB = 1024 * 1024;

test('many small multipart fields adding up past 1 MiB are 413, before authentication', async () => {
  const body = multipart(Array.from({ length: 450 }, (_, i): [string, string] => [`f${i}`, 'x'.repeat(4096)]));
  assert.ok(body.length > 1.5 * MiB);
  const reply = await call(`${acme}/rest/user.current`, { method: 'POST', headers: { 'content-type': MULTIPART }, body });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.error, 'PAYLOAD_TOO_LARGE');
});

test('a chunked multipart body to REST is cut off at the limit as it arrives, not read to its end', async () => {
  const result = await streamBody('/rest/user.current', `acme.localhost:${portal.port}`, MULTIPART, 20 * MiB);
  assert.equal(result.status, 413);
  assert.ok(result.written < 4 * MiB, `the server answered after ${result.written} bytes`);
  assert.equal(JSON.parse(result.body).error, 'PAYLOAD_TOO_LARGE');
});

test("a chunked body to the sign-in page is cut off at the page's 16 KiB limit", async () => {
  for (const contentType of ['application/x-www-form-urlencoded', MULTIPART]) {
    const result = await streamBody('/login', `acme.localhost:${portal.port}`, contentType, 20 * MiB);
    assert.ok([413, 415].includes(result.status), `${contentType}: ${result.status}`);
    assert.ok(result.written < 4 * MiB, `${contentType}: the server answered after ${result.written} bytes`);
  }
});

test('multipart is taken only by REST: sign-in pages, OAuth and network endpoints answer 415', async () => {
  const body = multipart([
    ['login', 'anna@example.com'],
    ['password', 'multidesk-demo'],
  ]);
  for (const [url, path] of [
    [acme, '/login'],
    [acme, '/oauth/token/'],
    [acme, '/oauth/desktop/login'],
    [portal.url(), '/network/login'],
  ] as const) {
    const reply = await call(`${url}${path}`, { method: 'POST', headers: { 'content-type': MULTIPART, origin: url }, body });
    assert.equal(reply.status, 415, `${path}: ${reply.status}`);
  }
});

test('a truncated or malformed multipart body is 400 on every REST method, never 500', async () => {
  const whole = multipart([
    ['auth', 'x'],
    ['FILTER[EMAIL]', 'anna@example.com'],
  ]);
  const bodies = [
    whole.slice(0, whole.length - 30),
    whole.slice(0, 40),
    `--${BOUNDARY}\r\ncontent-disposition: form-data\r\n\r\nno name\r\n--${BOUNDARY}--\r\n`,
    'not multipart at all',
  ];
  for (const method of ['user.current', 'user.get', 'batch', 'im.dialog.messages.get', 'tasks.task.update', 'im.message.update']) {
    for (const body of bodies) {
      const reply = await call(`${acme}/rest/${method}`, { method: 'POST', headers: { 'content-type': MULTIPART }, body });
      assert.equal(reply.status, 400, `${method} with ${JSON.stringify(body.slice(0, 30))}: ${reply.status}`);
      assert.equal(reply.body.error, 'INVALID_REQUEST');
    }
  }
});

test('a multipart file part is refused with a clear 400; fields alone still work', async () => {
  const withFile = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\ncontent-type: text/plain\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`;
  const refused = await call(`${acme}/rest/user.current`, { method: 'POST', headers: { 'content-type': MULTIPART }, body: withFile });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error_description, /file/i);
  const noAuth = await call(`${acme}/rest/user.current`, {
    method: 'POST',
    headers: { 'content-type': MULTIPART },
    body: multipart([['a', 'b']]),
  });
  assert.equal(noAuth.status, 401, 'a well-formed body reaches authentication');
});
