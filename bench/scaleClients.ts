/**
 * The load generator of bench/scale.ts: a process of its own holding every client Pull socket and
 * sending the messages whose delivery it times, so that both ends of a latency share one clock.
 * bench/scale.ts forks it (pinned to the load core) and drives it over the IPC channel, one step at
 * a time, answering each request with one reply:
 *
 * - `configs`: `pull.config.get` through each bench user's webhook (as the desktop does with its
 *   token), giving every user's WebSocket address;
 * - `open`: that many sockets, socket i on user i mod users (a user with many devices) through
 *   balancer i mod balancers, from one of many loopback addresses, opened `batch` at a time; which
 *   instance took each is read from the balancer's `x-served-by`;
 * - `send`: a message every `intervalMs` from the sender's webhook (`im.message.add`) to a user
 *   drawn at random; each socket of that user should get it once. Latency runs from just before
 *   the request to the frame naming the message arriving at a socket;
 * - `close`: closes every socket and exits.
 */
import '../packages/portal/test/localhostDispatcher.ts';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { localhostLookup } from '../packages/portal/test/localhostDispatcher.ts';
import { pullConfig, pullUrl } from '../packages/portal/test/pullClient.ts';
import { postJson } from '../packages/portal/test/signIn.ts';
import { percentile } from './percentile.ts';

export interface BenchUser {
  memberId: number;
  /** `http://acme.localhost:PORT/rest/<member id>/<secret>` through the balancer, scope `pull_channel`. */
  webhook: string;
}

export type ClientRequest =
  | { kind: 'configs'; users: BenchUser[] }
  | { kind: 'open'; connections: number; batch: number; ports: number[] }
  | { kind: 'send'; sender: string; messages: number; intervalMs: number; graceMs: number; slowMs: number }
  | { kind: 'close' };

export interface Opened {
  kind: 'opened';
  open: number;
  failed: number;
  seconds: number;
  /** Sockets by the instance the balancer gave them to. */
  byInstance: Record<string, number>;
  firstError?: string;
}

export interface Delivered {
  kind: 'delivered';
  messages: number;
  failedSends: number;
  expected: number;
  received: number;
  /** Frames naming a message that socket had seen already. */
  duplicates: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Per message, until its last socket had it: p99 over the messages fully delivered. */
  all_sockets_p99_ms: number;
  /** `im.message.add`'s own answer time. */
  rest_p50_ms: number;
  rest_p99_ms: number;
  /** Sockets that closed while the bench was running. */
  closedMeanwhile: number;
  /** Messages some socket got later than `slowMs`: seconds after the first message, and their slowest delivery. */
  slow: { at_s: number; ms: number }[];
}

export type ClientReply = { kind: 'configured'; seconds: number } | Opened | Delivered | { kind: 'closed' };

const MARK = /scale#(\d+)/;

/**
 * Sockets a client address holds. Ten thousand users come from many addresses, and an instance
 * refuses more than a thousand Pull sockets from one (`pullSocketsPerIp`; behind the balancer, the
 * address in X-Forwarded-For): socket i leaves from 127.1.0.(1 + i / 250), all of it loopback.
 */
const SOCKETS_PER_ADDRESS = 250;

interface Socket {
  user: number;
  ws: WebSocket;
  /** The messages this socket got. */
  seen: Set<number>;
}

let urls: string[] = [];
let users: BenchUser[] = [];
const sockets: Socket[] = [];
let closedMeanwhile = 0;
/** Message number -> when its request started (performance.now). */
const sentAt = new Map<number, number>();
const latencies: number[] = [];
/** Message number -> its latest arrival so far. */
const lastArrival = new Map<number, number>();
let duplicates = 0;
/** Messages sent by earlier `send` requests: each request's messages carry numbers of their own. */
let sentBefore = 0;

function onFrame(socket: Socket, data: WebSocket.RawData): void {
  const now = performance.now();
  const match = MARK.exec(data.toString());
  if (!match) return;
  const message = Number(match[1]);
  const started = sentAt.get(message);
  if (started === undefined) return;
  if (socket.seen.has(message)) {
    duplicates++;
    return;
  }
  socket.seen.add(message);
  latencies.push(now - started);
  lastArrival.set(message, Math.max(lastArrival.get(message) ?? 0, now - started));
}

/** Socket `index`'s user's address, through balancer index mod balancers (the configs came through the first). */
function openOne(index: number, ports: readonly number[]): Promise<{ servedBy: string } | { error: string }> {
  const user = index % users.length;
  const url = new URL(urls[user] as string);
  url.port = String(ports[index % ports.length]);
  const localAddress = `127.1.${Math.floor(index / SOCKETS_PER_ADDRESS / 254)}.${1 + (Math.floor(index / SOCKETS_PER_ADDRESS) % 254)}`;
  const ws = new WebSocket(url, { lookup: localhostLookup as never, localAddress, handshakeTimeout: 60_000 });
  const socket: Socket = { user, ws, seen: new Set() };
  return new Promise((resolve) => {
    let servedBy = '';
    ws.once('upgrade', (response) => {
      servedBy = String(response.headers['x-served-by'] ?? 'unknown');
    });
    ws.once('open', () => {
      sockets.push(socket);
      ws.on('message', (data) => onFrame(socket, data));
      ws.once('close', () => closedMeanwhile++);
      resolve({ servedBy });
    });
    ws.once('error', (error) => resolve({ error: error.message }));
  });
}

async function open(connections: number, batch: number, ports: readonly number[]): Promise<Opened> {
  const started = performance.now();
  const byInstance: Record<string, number> = {};
  let failed = 0;
  let firstError: string | undefined;
  for (let first = 0; first < connections; first += batch) {
    const results = await Promise.all(Array.from({ length: Math.min(batch, connections - first) }, (_, i) => openOne(first + i, ports)));
    for (const result of results) {
      if ('error' in result) {
        failed++;
        firstError ??= result.error;
      } else byInstance[result.servedBy] = (byInstance[result.servedBy] ?? 0) + 1;
    }
  }
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  return { kind: 'opened', open: sockets.length, failed, seconds, byInstance, ...(firstError ? { firstError } : {}) };
}

async function send(request: Extract<ClientRequest, { kind: 'send' }>): Promise<Delivered> {
  // Each request counts only its own messages (a warm-up's are not timed).
  sentAt.clear();
  latencies.length = 0;
  lastArrival.clear();
  duplicates = 0;
  const first = sentBefore;
  sentBefore += request.messages;
  const socketsOf = new Map<number, number>();
  for (const socket of sockets)
    if (socket.ws.readyState === WebSocket.OPEN) socketsOf.set(socket.user, (socketsOf.get(socket.user) ?? 0) + 1);
  const addressed = [...socketsOf.keys()];
  let expected = 0;
  let failedSends = 0;
  const restTimes: number[] = [];
  const expectedOf = new Map<number, number>();
  const requests: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 1; i <= request.messages; i++) {
    const n = first + i;
    // On a fixed schedule, whatever the previous request is doing: the load does not wait for the server.
    const due = start + (i - 1) * request.intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const user = addressed[Math.floor(Math.random() * addressed.length)] as number;
    const recipient = users[user] as BenchUser;
    expectedOf.set(n, socketsOf.get(user) as number);
    expected += socketsOf.get(user) as number;
    const began = performance.now();
    sentAt.set(n, began);
    requests.push(
      postJson(`${request.sender}/im.message.add`, { DIALOG_ID: recipient.memberId, MESSAGE: `scale#${n}` }).then(
        (reply) => {
          restTimes.push(performance.now() - began);
          if (reply.status !== 200) failedSends++;
        },
        () => {
          failedSends++;
        },
      ),
    );
  }
  await Promise.all(requests);
  await new Promise((resolve) => setTimeout(resolve, request.graceMs));
  const sorted = Float64Array.from(latencies).sort();
  const whole = Float64Array.from([...lastArrival].filter(([n]) => seenCount(n) === expectedOf.get(n)).map(([, ms]) => ms)).sort();
  const rest = Float64Array.from(restTimes).sort();
  const ms = (n: number) => Math.round(n * 10) / 10;
  return {
    kind: 'delivered',
    messages: request.messages,
    failedSends,
    expected,
    received: latencies.length,
    duplicates,
    p50_ms: ms(percentile(sorted, 50)),
    p99_ms: ms(percentile(sorted, 99)),
    max_ms: ms(sorted.at(-1) ?? Number.NaN),
    all_sockets_p99_ms: ms(percentile(whole, 99)),
    rest_p50_ms: ms(percentile(rest, 50)),
    rest_p99_ms: ms(percentile(rest, 99)),
    closedMeanwhile,
    slow: [...lastArrival]
      .sort(([a], [b]) => a - b)
      .filter(([, latest]) => latest > request.slowMs)
      .map(([n, latest]) => ({ at_s: ms(((sentAt.get(n) as number) - start) / 1000), ms: ms(latest) })),
  };
}

function seenCount(message: number): number {
  let n = 0;
  for (const socket of sockets) if (socket.seen.has(message)) n++;
  return n;
}

async function handle(request: ClientRequest): Promise<ClientReply> {
  switch (request.kind) {
    case 'configs': {
      const started = performance.now();
      users = request.users;
      urls = [];
      for (const user of users) urls.push(pullUrl(await pullConfig({ webhook: user.webhook })));
      return { kind: 'configured', seconds: Math.round((performance.now() - started) / 10) / 100 };
    }
    case 'open':
      return open(request.connections, request.batch, request.ports);
    case 'send':
      return send(request);
    case 'close':
      for (const socket of sockets) {
        socket.ws.removeAllListeners('close');
        socket.ws.terminate();
      }
      return { kind: 'closed' };
  }
}

process.on('message', (request: ClientRequest) => {
  handle(request).then(
    (reply) => {
      process.send?.(reply);
      if (reply.kind === 'closed') process.disconnect();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
