import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BRIDGE_COOKIE } from '@multidesk/protocol';
import WebSocket from 'ws';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { BOOT_URL_TTL_MS, type Bridge, startBridge } from '../src/core/bridge/bridgeServer.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt, startTestCore } from './coreHarness.ts';

let portal: TestPortal;
let core: Awaited<ReturnType<typeof startTestCore>>;
let bridge: Bridge;
let cookie: string;
const vault = new MemoryVault();
const uiDir = mkdtempSync(join(tmpdir(), 'multidesk-ui-'));

/** A raw HTTP request (to the suite's bridge, or `to`), so that Host, Origin and Cookie are exactly what the test says. */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  to: Bridge = bridge,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(to.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const host = () => new URL(bridge.origin).host;
const api = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(path, {
    method: 'POST',
    headers: { host: host(), origin: bridge.origin, cookie: `${BRIDGE_COOKIE}=${cookie}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

before(async () => {
  portal = await startTestPortal();
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'workspace.html'), '<!doctype html><title>Workspace</title>');
  writeFileSync(join(uiDir, 'messenger.html'), '<!doctype html><title>Messenger</title>');
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
  core = await startTestCore(vault);
  bridge = await startBridge(core, uiDir);
  const boot = await raw(new URL(bridge.bootUrl('workspace')).pathname, { headers: { host: host() } });
  cookie = /multidesk_bridge=([^;]+)/.exec(String(boot.headers['set-cookie']))?.[1] ?? '';
});
after(async () => {
  await bridge.close();
  await core.close();
  core.removeProfile();
  await portal.close();
  rmSync(uiDir, { recursive: true, force: true });
});

describe('bridge boot', () => {
  test('a boot URL nobody opened stops working after BOOT_URL_TTL_MS', async () => {
    let clock = Date.now();
    const timed = await startBridge(core, uiDir, { now: () => clock });
    try {
      const at = (url: string) => new URL(url).pathname;
      const timedHost = new URL(timed.origin).host;
      const fresh = at(timed.bootUrl('workspace'));
      const stale = at(timed.bootUrl('messenger'));
      clock += BOOT_URL_TTL_MS - 1;
      assert.equal((await raw(fresh, { headers: { host: timedHost } }, timed)).status, 303, 'still good just before its end');
      clock += 1;
      const late = await raw(stale, { headers: { host: timedHost } }, timed);
      assert.equal(late.status, 403);
      assert.equal(late.headers['set-cookie'], undefined);
    } finally {
      await timed.close();
    }
  });

  test('a boot URL sets an HttpOnly, SameSite=Strict cookie once and lands on its window', async () => {
    const path = new URL(bridge.bootUrl('messenger')).pathname;
    const first = await raw(path, { headers: { host: host() } });
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/messenger');
    assert.match(String(first.headers['set-cookie']), /^multidesk_bridge=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const second = await raw(path, { headers: { host: host() } });
    assert.equal(second.status, 403);
  });

  test('pages need the cookie and carry a strict Content-Security-Policy', async () => {
    assert.equal((await raw('/workspace', { headers: { host: host() } })).status, 401);
    const page = await raw('/workspace', { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self';/);
    assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-inline|unsafe-eval/);
  });

  test('files outside the UI folder are never served', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../secret.json']) {
      const res = await raw(path, { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } });
      assert.equal(res.status, 404, path);
    }
  });

  test('a malformed percent-encoding is 400, not 500 (regression: issue 17, D6)', async () => {
    for (const path of ['/%E0%A4%A', '/assets/%', '/%ZZ.js']) {
      const res = await raw(path, { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } });
      assert.equal(res.status, 400, path);
    }
  });
});

describe('bridge checks', () => {
  test('refuses requests without the cookie, with a wrong one, with a foreign Host or a foreign Origin', async () => {
    const ok = await api('/api/state', {});
    assert.equal(ok.status, 200);
    assert.equal((await api('/api/state', {}, { cookie: '' })).status, 401);
    assert.equal((await api('/api/state', {}, { cookie: `${BRIDGE_COOKIE}=${'x'.repeat(43)}` })).status, 401);
    assert.equal((await api('/api/state', {}, { host: `evil.example:${new URL(bridge.origin).port}` })).status, 421);
    assert.equal((await api('/api/state', {}, { host: `localhost:${new URL(bridge.origin).port}` })).status, 421);
    assert.equal((await api('/api/state', {}, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await api('/api/state', {}, { origin: '' })).status, 403);
  });

  test('a web page in the browser can neither read nor write: same-site ports, null origins, rebinding and CORS (issue 17, part 5)', async () => {
    const port = new URL(bridge.origin).port;
    const withCookie = { cookie: `${BRIDGE_COOKIE}=${cookie}` };
    // Another local web server's page is same-site (ports do not count), so its requests carry the cookie.
    for (const origin of ['http://127.0.0.1:8080', `http://localhost:${port}`, 'null', `https://127.0.0.1:${port}`]) {
      assert.equal((await api('/api/state', {}, { origin })).status, 403, origin);
    }
    // A page of a rebinding name reaches the bridge with its own Host, on every kind of request.
    for (const rebound of [`evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port}.evil.example`, `[::1]:${port}`]) {
      assert.equal((await api('/api/state', {}, { host: rebound, origin: `http://${rebound}` })).status, 421, rebound);
      assert.equal((await raw('/workspace', { headers: { host: rebound, ...withCookie } })).status, 421, rebound);
      assert.equal((await raw(new URL(bridge.bootUrl('workspace')).pathname, { headers: { host: rebound } })).status, 421, rebound);
    }
    // The browser marks what another site asked for: refused even with the cookie and the right Host.
    for (const site of ['cross-site', 'same-site']) {
      const page = await raw('/workspace', { headers: { host: host(), 'sec-fetch-site': site, ...withCookie } });
      assert.equal(page.status, 403, site);
      assert.equal((await api('/api/state', {}, { 'sec-fetch-site': site })).status, 403, site);
    }
    assert.equal((await raw('/workspace', { headers: { host: host(), 'sec-fetch-site': 'same-origin', ...withCookie } })).status, 200);
    // Nothing grants another origin a read: no CORS headers, and a preflight is refused.
    const foreign = await api('/api/state', {}, { origin: 'http://evil.example' });
    const preflight = await raw('/api/state', {
      method: 'OPTIONS',
      headers: { host: host(), origin: 'http://evil.example', 'access-control-request-method': 'POST', ...withCookie },
    });
    assert.notEqual(preflight.status, 200);
    for (const res of [foreign, preflight]) {
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
    }
    // A boot URL is good once, and not at all through a rebinding name (its use there does not spend it).
    const boot = new URL(bridge.bootUrl('workspace')).pathname;
    assert.equal((await raw(boot, { headers: { host: `evil.example:${port}` } })).status, 421);
    assert.equal((await raw(boot, { headers: { host: host(), 'sec-fetch-site': 'cross-site' } })).status, 403);
    assert.equal((await raw(boot, { headers: { host: host() } })).status, 303);
    assert.equal((await raw(boot, { headers: { host: host() } })).status, 403);
  });

  test('bad bodies get clear errors', async () => {
    const notJson = await raw('/api/state', {
      method: 'POST',
      headers: { host: host(), origin: bridge.origin, cookie: `${BRIDGE_COOKIE}=${cookie}`, 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(notJson.status, 400);
    const missing = await api('/api/sign-in', { address: 'acme.localhost' });
    assert.equal(missing.status, 400);
    assert.equal(JSON.parse(missing.body).error, 'invalid_request');
    const unknown = await api('/api/accounts/home', { id: 'no-such-account' });
    assert.equal(unknown.status, 404);
    const form = await api('/api/state', {}, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
  });

  test('a field nested thousands deep is a clear 400, not 500; a stray one is dropped (regression: issue 17, fuzzing)', async () => {
    const deep = (field: string) => `{"${field}":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const post = (path: string, body: string) =>
      raw(path, {
        method: 'POST',
        headers: { host: host(), origin: bridge.origin, cookie: `${BRIDGE_COOKIE}=${cookie}`, 'content-type': 'application/json' },
        body,
      });
    for (const [path, field] of [
      ['/api/tasks/list', 'filter'],
      ['/api/accounts/home', 'id'],
    ] as const) {
      const res = await post(path, deep(field));
      assert.equal(res.status, 400, path);
      assert.equal(JSON.parse(res.body).error, 'invalid_request', path);
    }
    assert.equal((await post('/api/state', deep('stray'))).status, 200);
  });

  test('single sign-on routes check their input, and a flow the core does not know is over', async () => {
    assert.equal(JSON.parse((await api('/api/sso/start', {})).body).error, 'invalid_request');
    assert.equal((await api('/api/sso/start', { address: 'x'.repeat(301) })).status, 400);
    assert.equal((await api('/api/sso/wait', { flow: '' })).status, 400);
    const notAnAddress = JSON.parse((await api('/api/sso/start', { address: 'not an address' })).body);
    assert.deepEqual([notAnAddress.ok, notAnAddress.error], [false, 'invalid_address']);
    const wait = JSON.parse((await api('/api/sso/wait', { flow: 'no-such-flow' })).body);
    assert.deepEqual([wait.status, wait.error], ['failed', 'cancelled']);
    assert.equal(JSON.parse((await api('/api/sso/reopen', { flow: 'no-such-flow' })).body).ok, false);
    assert.deepEqual(JSON.parse((await api('/api/sso/cancel', { flow: 'no-such-flow' })).body), { ok: true });
  });

  test('signing in through the bridge never hands a token or the password to the UI', async () => {
    const res = await api('/api/sign-in', {
      address: `acme.localhost:${portal.port}`,
      login: 'anna@example.com',
      password: 'multidesk-demo',
    });
    assert.equal(res.status, 200);
    const result = JSON.parse(res.body);
    assert.equal(result.ok, true);
    const tokens = JSON.parse((await vault.get(result.account.id)) as string);
    const state = await api('/api/state', {});
    const home = await api('/api/accounts/home', { id: result.account.id });
    for (const body of [res.body, state.body, home.body]) {
      assert.ok(!body.includes(tokens.accessToken) && !body.includes(tokens.refreshToken) && !body.includes('multidesk-demo'));
    }
  });
});

describe('bridge request targets (regression: issue 17, fuzzing)', () => {
  /** A raw upgrade request on its own connection; answers what came back and the open socket. */
  const upgrade = (port: string, path: string, origin: string, extra: string | Buffer = '') =>
    new Promise<{ head: string; socket: Socket }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
      socket.once('data', (data) => resolve({ head: data.toString('latin1'), socket }));
      socket.once('error', reject);
      socket.write(
        `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\norigin: ${origin}\r\ncookie: ${BRIDGE_COOKIE}=${cookie}\r\n` +
          'upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
      );
      socket.write(extra);
    });

  test('a target no URL parser reads (//, /\\) is 400, not 500; an upgrade to one is refused and the bridge serves on', async () => {
    for (const path of ['//', '/\\']) {
      const res = await raw(path, { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } });
      assert.equal(res.status, 400, path);
    }
    const refused = await upgrade(new URL(bridge.origin).port, '//', bridge.origin);
    refused.socket.destroy();
    assert.match(refused.head, /^HTTP\/1\.1 403 /);
    assert.equal((await raw('/workspace', { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } })).status, 200);
  });

  test('a frame the events socket cannot read (reserved bits set) closes that socket; the core runs on', async () => {
    const badFrame = Buffer.from([0xb1, 0x80, 0, 0, 0, 0]);
    const opened = await upgrade(new URL(bridge.origin).port, '/api/events', bridge.origin, badFrame);
    assert.match(opened.head, /^HTTP\/1\.1 101 /);
    await new Promise<void>((resolve) => {
      opened.socket.on('close', () => resolve());
      opened.socket.on('end', () => opened.socket.destroy());
      opened.socket.on('error', () => {});
    });
    assert.equal((await raw('/workspace', { headers: { host: host(), cookie: `${BRIDGE_COOKIE}=${cookie}` } })).status, 200);
  });

  test('a refused upgrade that sent more bytes is closed by the bridge: closing the bridge does not wait on it', async () => {
    const second = await startBridge(core, uiDir);
    const refused = await upgrade(new URL(second.origin).port, '/api/events', 'http://evil.example', 'bytes after the head');
    assert.match(refused.head, /^HTTP\/1\.1 403 /);
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      second.close().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 5_000);
      }),
    ]);
    clearTimeout(timer);
    refused.socket.destroy();
    assert.ok(closed, 'the bridge closed while the refused client kept its side open');
  });
});

describe('bridge events', () => {
  const connect = (headers: Record<string, string>) =>
    new Promise<{ opened: boolean; first?: string; status?: number }>((resolve) => {
      const ws = new WebSocket(`ws://${host()}/api/events`, { headers });
      ws.once('message', (data) => {
        resolve({ opened: true, first: String(data) });
        ws.close();
      });
      ws.once('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode ?? 0 }));
      ws.once('error', () => resolve({ opened: false }));
    });

  test('the events socket sends the state to a Multidesk window', async () => {
    const result = await connect({ origin: bridge.origin, cookie: `${BRIDGE_COOKIE}=${cookie}` });
    assert.ok(result.opened);
    assert.equal(JSON.parse(result.first ?? '{}').type, 'state');
  });

  test('the events socket refuses a foreign origin or a missing cookie', async () => {
    assert.equal((await connect({ origin: 'http://evil.example', cookie: `${BRIDGE_COOKIE}=${cookie}` })).status, 403);
    assert.equal((await connect({ origin: bridge.origin })).status, 403);
  });

  test('the events socket refuses a same-site page, a rebinding Host and another site (issue 17, part 5)', async () => {
    const port = new URL(bridge.origin).port;
    const withCookie = `${BRIDGE_COOKIE}=${cookie}`;
    assert.equal((await connect({ origin: 'http://127.0.0.1:8080', cookie: withCookie })).status, 403);
    assert.equal((await connect({ origin: 'null', cookie: withCookie })).status, 403);
    assert.equal((await connect({ host: `evil.example:${port}`, origin: `http://evil.example:${port}`, cookie: withCookie })).status, 403);
    assert.equal((await connect({ host: `evil.example:${port}`, origin: bridge.origin, cookie: withCookie })).status, 403);
    assert.equal((await connect({ origin: bridge.origin, cookie: withCookie, 'sec-fetch-site': 'cross-site' })).status, 403);
  });
});

describe('pushed state', () => {
  test('a burst of changes is pushed at most about once a frame, and the last change always goes out', async () => {
    const ws = new WebSocket(`ws://${host()}/api/events?window=messenger`, {
      headers: { origin: bridge.origin, cookie: `${BRIDGE_COOKIE}=${cookie}` },
    });
    const states: number[] = [];
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'state') states.push(performance.now());
    });
    try {
      for (const deadline = Date.now() + 5_000; states.length === 0; await sleep(5)) {
        if (Date.now() > deadline) throw new Error('no state on connecting');
      }
      const before = states.length;
      const began = performance.now();
      // An unread count moving with every message of a burst, each change on its own turn of the event loop.
      // The last change's moment is taken as it is made: taken after the last pause (which a busy
      // machine stretches to several ms), a state pushed during that pause, carrying the last
      // change, read as pushed before it (one CI run).
      let lastChange = 0;
      for (let i = 0; i < 100; i++) {
        core.unread.emit('changed', 'some-account');
        lastChange = performance.now();
        await sleep(1);
      }
      const ended = performance.now();
      await sleep(100);
      const pushed = states.slice(before);
      const frames = (ended - began) / 16;
      assert.ok(pushed.length >= 2, `${pushed.length} states for 100 changes`);
      assert.ok(pushed.length <= Math.ceil(frames) + 2, `${pushed.length} states for 100 changes over ${Math.round(ended - began)} ms`);
      assert.ok((pushed.at(-1) ?? 0) > lastChange, 'no state after the last change');
    } finally {
      ws.close();
    }
  });
});

describe('a clicked notification', () => {
  test('shows its chat in the open Messenger, or opens the Messenger on it', async () => {
    const opened: string[] = [];
    const second = await startBridge(core, uiDir, { openWindow: (url) => opened.push(url) });
    const sockets: WebSocket[] = [];
    try {
      const boot = await fetch(second.bootUrl('workspace'), { redirect: 'manual' });
      const secondCookie = /multidesk_bridge=([^;]+)/.exec(boot.headers.get('set-cookie') ?? '')?.[1] ?? '';
      const headers = { origin: second.origin, cookie: `${BRIDGE_COOKIE}=${secondCookie}` };
      const openChat = (body: unknown) =>
        fetch(`${second.origin}/api/chats/open`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      /** An events socket of one window, and every event it receives. */
      const listen = async (window: string) => {
        const events: { type: string; accountId?: string; dialogId?: string }[] = [];
        const ws = new WebSocket(`ws://${new URL(second.origin).host}/api/events?window=${window}`, { headers });
        sockets.push(ws);
        ws.on('message', (data) => events.push(JSON.parse(String(data))));
        await new Promise((resolve) => ws.once('open', resolve));
        return events;
      };
      const until = async (check: () => boolean) => {
        for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(check());
      };
      const { id } = await signInAt(core, portal.port, 'acme');

      // Only the Workspace is open: the Messenger is opened, and shown the chat once it connects.
      const workspaceEvents = await listen('workspace');
      assert.deepEqual(await (await openChat({ id, dialogId: 'chat1' })).json(), { ok: true });
      assert.equal(opened.length, 1);
      const landing = await fetch(opened[0] as string, { redirect: 'manual' });
      assert.equal(landing.headers.get('location'), '/messenger', 'the window opened is the Messenger');
      const messengerEvents = await listen('messenger');
      await until(() => messengerEvents.some((e) => e.type === 'open-chat'));
      assert.deepEqual(
        messengerEvents.find((e) => e.type === 'open-chat'),
        { type: 'open-chat', accountId: id, dialogId: 'chat1' },
      );

      // The Messenger is open: it is told, and no other window opens.
      assert.equal((await openChat({ id, dialogId: '2' })).status, 200);
      await until(() => messengerEvents.filter((e) => e.type === 'open-chat').length === 2);
      assert.equal(opened.length, 1);
      assert.equal(workspaceEvents.filter((e) => e.type === 'open-chat').length, 0, 'the Workspace is not told');

      assert.equal((await openChat({ id: 'no-such-account', dialogId: '2' })).status, 404);
      assert.equal(opened.length, 1);
    } finally {
      for (const ws of sockets) ws.close();
      await second.close();
    }
  });
});
