import { after, test } from 'node:test';
import { PULL_LONG_POLLING_PATH, PULL_WEBSOCKET_PATH, type PullConfig } from '@multidesk/protocol';
import WebSocket from 'ws';
import {
  describeRequest,
  FUZZ_LIMITS,
  FuzzTally,
  fc,
  fuzz,
  fuzzRun,
  hostileBytes,
  hostileString,
  jsonValue,
  keyOf,
  percentEncode,
  scalar,
  shares,
  truncate,
  within,
} from './fuzzArbitraries.ts';
import { localhostLookup } from './localhostDispatcher.ts';
import { pullConfig, pullUrl } from './pullClient.ts';
import { restPortal } from './tokens.ts';

/**
 * Property: whatever a client sends on a Push & Pull socket — text, binary, JSON-RPC requests of
 * any shape, frames too large — the portal keeps serving: the socket stays open (or is closed
 * with a protocol code that names the client's mistake), JSON-RPC pings are still answered, and
 * the process never throws. Connection addresses with junk in them and long polls are refused
 * with a 4xx or a Bitrix24 close code, never a 5xx.
 */

const run = fuzzRun(2500);
const cases = shares(run.cases, { frames: 65, connect: 10, longPoll: 25 });
const tally = new FuzzTally('pull', run);
const { portal, acme, token } = await restPortal({ limits: FUZZ_LIMITS, signIn: 'anna@example.com' });
const config: PullConfig = await pullConfig({ base: acme, token });

/** Close codes that answer a client's own mistake: too big, not UTF-8, policy, the channel's codes. */
const REFUSALS = new Set([1002, 1007, 1008, 1009, 4010, 4011]);

interface Connection {
  socket: WebSocket;
  /** Text frames received and not read yet. */
  inbox: string[];
  closed: { code: number; reason: string } | null;
  wake: (() => void) | null;
}

function open(url: string, origin = acme): Promise<Connection> {
  const socket = new WebSocket(url.replace(acme, acme), { lookup: localhostLookup as never, headers: { origin } });
  const connection: Connection = { socket, inbox: [], closed: null, wake: null };
  socket.on('message', (data, isBinary) => {
    if (!isBinary) connection.inbox.push(data.toString());
    connection.wake?.();
  });
  socket.on('close', (code, reason) => {
    connection.closed = { code, reason: reason.toString() };
    connection.wake?.();
  });
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(connection));
    socket.once('unexpected-response', (request, response) => {
      request.destroy();
      reject(Object.assign(new Error(`upgrade answered ${response.statusCode}`), { status: response.statusCode }));
    });
    socket.once('error', reject);
  });
}

/** Waits until `done` holds (checked on every frame and on close), or fails after `ms`. */
async function until(connection: Connection, done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no answer on the socket within ${ms} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      connection.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  connection.wake = null;
}

const sockets: Partial<Record<'jsonRpc' | 'classic', Connection>> = {};
after(() => {
  for (const connection of Object.values(sockets)) connection?.socket.terminate();
});
async function socketOf(kind: 'jsonRpc' | 'classic'): Promise<Connection> {
  const current = sockets[kind];
  if (current && !current.closed) return current;
  const opened = await open(pullUrl(config, { jsonRpc: kind === 'jsonRpc' }));
  sockets[kind] = opened;
  return opened;
}

const rpcRequest = fc
  .record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), scalar),
      id: fc.oneof(fc.nat(), scalar, jsonValue(keyOf(['id']))),
      method: fc.oneof(
        fc.constantFrom('ping', 'publish', 'getUsersLastSeen', 'listChannels', '__proto__'),
        jsonValue(keyOf(['toString', 'valueOf'])),
      ),
      params: jsonValue(keyOf(['users', 'channelList', 'text', 'userId'])),
    },
    { requiredKeys: [] },
  )
  .map((request) => JSON.stringify(request));

const frame = fc.oneof(
  { weight: 5, arbitrary: rpcRequest.map((text) => ({ text })) },
  { weight: 2, arbitrary: hostileString.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.constantFrom('pong', 'mack:', 'mack:1', 'ping', '{"id":1}', '[]', '{}', 'null').map((text) => ({ text })) },
  { weight: 1, arbitrary: hostileBytes.map((bytes) => ({ bytes, binary: true })) },
  { weight: 1, arbitrary: hostileBytes.map((bytes) => ({ bytes, binary: false })) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024 - 8, max: 40 * 1024 }).map((n) => ({ text: 'x'.repeat(n) })) },
);

let pingId = 1_000_000_000;

test('any frame on a socket (text, binary, JSON-RPC of any shape, too large) leaves the server serving', async () => {
  await fuzz(
    run,
    cases.frames,
    fc.tuple(fc.constantFrom<'jsonRpc' | 'classic'>('jsonRpc', 'jsonRpc', 'classic'), frame),
    async ([kind, f]) => {
      const what = () =>
        `${kind} frame ${'text' in f ? JSON.stringify(truncate(f.text ?? '', 300)) : `<${f.binary ? 'binary' : 'text'} ${f.bytes.toString('hex')}>`}`;
      try {
        const connection = await within(10_000, socketOf(kind));
        connection.inbox.length = 0;
        if ('text' in f) connection.socket.send(f.text);
        else connection.socket.send(f.bytes, { binary: f.binary });
        // Still alive: a JSON-RPC ping is answered (after whatever the frame got), a WebSocket ping ponged.
        if (kind === 'jsonRpc') {
          const id = pingId++;
          connection.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }));
          await until(connection, () => connection.closed !== null || connection.inbox.some((t) => t.includes(`"id":${id}`)));
        } else {
          let ponged = false;
          connection.socket.once('pong', () => {
            ponged = true;
            connection.wake?.();
          });
          connection.socket.ping();
          await until(connection, () => connection.closed !== null || ponged);
        }
        if (connection.closed) {
          const { code } = connection.closed;
          if (REFUSALS.has(code)) return tally.status(400, what);
          if (code === 1011) return tally.status(500, what);
          return tally.crash(new Error(`socket closed with ${code} ${connection.closed.reason}`), what);
        }
        const refused = connection.inbox.some((t) => /"error":\{"code":-32/.test(t));
        tally.status(refused ? 400 : 200, what);
      } catch (error) {
        tally.crash(error, what);
        // The next case starts on a fresh socket: one crash is counted once, not as every frame after it.
        sockets[kind]?.socket.terminate();
        sockets[kind] = undefined;
      }
    },
  );
});

const queryValue = fc.oneof(hostileString, fc.constantFrom(config.channels.private?.id ?? '', config.jwt ?? '', 'true', 'false'));
const pullQuery = fc
  .dictionary(
    keyOf(['CHANNEL_ID', 'token', 'mid', 'jsonRpc', 'revision', 'clientId']),
    fc.oneof(queryValue, fc.array(queryValue, { maxLength: 3 })),
    {
      maxKeys: 5,
      noNullPrototype: true,
    },
  )
  .map((params) =>
    Object.entries(params)
      .flatMap(([key, value]) => [value].flat().map((v) => `${percentEncode(key)}=${percentEncode(v)}`))
      .join('&'),
  );
const pullHost = fc.constantFrom(
  `acme.localhost:${portal.port}`,
  `acme.localhost:${portal.port}`,
  `localhost:${portal.port}`,
  `nope.localhost:${portal.port}`,
);

test('connecting with any address (junk channels, tokens, mids; any host) is refused with 4xx or a close code, never 5xx', async () => {
  await fuzz(run, cases.connect, fc.tuple(pullHost, pullQuery), async ([host, query]) => {
    const url = `ws://${host}${PULL_WEBSOCKET_PATH}?${query}`;
    const what = () => url;
    try {
      const connection = await within(10_000, open(url, `http://${host}`));
      // A socket that stays open must answer a ping; one that is closed says why.
      let ponged = false;
      connection.socket.once('pong', () => {
        ponged = true;
        connection.wake?.();
      });
      if (!connection.closed) connection.socket.ping();
      await until(connection, () => connection.closed !== null || ponged);
      connection.socket.terminate();
      if (!connection.closed || connection.closed.code === 1006) return tally.status(200, what);
      if (connection.closed.code === 1011) return tally.status(500, what);
      tally.status(REFUSALS.has(connection.closed.code) ? 400 : 200, what);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined) tally.status(status, what);
      else tally.crash(error, what);
    }
  });
});

test('long polling with any address answers 200, 304 or 4xx, never 5xx', async () => {
  await fuzz(run, cases.longPoll, fc.tuple(pullHost, pullQuery), async ([host, query]) => {
    const request = { method: 'GET' as const, url: `${PULL_LONG_POLLING_PATH}?${query}`, headers: { host } };
    try {
      const reply = await within(15_000, portal.app.inject(request));
      tally.status(reply.statusCode, () => describeRequest(request));
    } catch (error) {
      tally.crash(error, () => describeRequest(request));
    }
  });
});

test('no input made a 5xx, a crash or a malformed error', () => tally.report());
