import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestPortal, type TestPortal } from './harness.ts';
import { startHostileClients } from './hostileClients.ts';
import { PullTestClient, pullConfig, pullUrl } from './pullClient.ts';
import { call, signInAs } from './tokens.ts';

/** `MULTIDESK_SOAK=1`: the full 2,000 of each for 30 s; else a few hundred for a few seconds. */
const SOAK = process.env.MULTIDESK_SOAK === '1';
const SOCKETS = SOAK ? 2_000 : 300;
const SLOW_CLIENTS = SOAK ? 2_000 : 300;
const DURATION_MS = SOAK ? 30_000 : 8_000;
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
/** Below SOCKETS, so that the hostile address meets the limit. */
const SOCKETS_PER_IP = 200;
/** How late the server may be in cutting a client: its checks run each second, on a busy 2-core machine. */
const SLACK_MS = 3_000;

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal({
    limits: {
      // The probe asks far faster than a user's REST budget allows.
      restBurst: Number.POSITIVE_INFINITY,
      restDrainPerSecond: 0,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      pullSocketsPerIp: SOCKETS_PER_IP,
    },
  });
});
after(() => portal.close());

/** Reads the client's messages until one carries `text`. */
async function hears(client: PullTestClient, text: string): Promise<void> {
  while (!JSON.stringify(await client.next(10_000)).includes(text)) {}
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

test('hostile neighbours (unauthenticated sockets, slow-loris headers and bodies) do not stop REST or Pull for a legitimate user', async () => {
  const acme = portal.url('acme');
  const token = (await signInAs(portal, 'acme', 'anna@example.com')).access_token;
  const before = await PullTestClient.open(pullUrl(await pullConfig({ base: acme, token })));
  const recent = await call(`${acme}/rest/im.recent.list?auth=${token}`);
  const dialogId = String((recent.body.result as { items: { id: string | number }[] }).items[0]?.id);

  // How long the server keeps each hostile connection, from when it accepted it (the clients' own
  // view includes waits in a full accept queue).
  const held: number[] = [];
  const open = new Map<Socket, number>();
  portal.app.server.on('connection', (socket: Socket) => {
    if (socket.remoteAddress !== '127.0.0.2') return;
    const at = Date.now();
    open.set(socket, at);
    socket.once('close', () => {
      open.delete(socket);
      held.push(Date.now() - at);
    });
  });

  const attack = startHostileClients({
    port: portal.port,
    host: `acme.localhost:${portal.port}`,
    localAddress: '127.0.0.2',
    sockets: SOCKETS,
    slowClients: SLOW_CLIENTS,
    durationMs: DURATION_MS,
  });
  let attacking = true;
  void attack.finally(() => {
    attacking = false;
  });

  // The legitimate user's REST calls, one after another for the whole attack.
  const latencies: number[] = [];
  let failures = 0;
  const probe = (async () => {
    while (attacking) {
      const start = performance.now();
      const reply = await call(`${acme}/rest/user.current?auth=${token}`).catch(() => null);
      latencies.push(performance.now() - start);
      if (reply?.status !== 200) failures++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  // Halfway through, the user's realtime link connects anew and hears a message.
  await new Promise((resolve) => setTimeout(resolve, DURATION_MS / 2));
  const during = await PullTestClient.open(pullUrl(await pullConfig({ base: acme, token })));
  const sent = await call(`${acme}/rest/im.message.add?auth=${token}`, {
    method: 'POST',
    body: new URLSearchParams({ DIALOG_ID: dialogId, MESSAGE: 'still here' }),
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  await hears(during, 'still here');
  await hears(before, 'still here');

  const report = await attack;
  const oldestOpen = Math.max(0, ...[...open.values()].map((at) => Date.now() - at));
  await probe;
  during.socket.close();
  before.socket.close();

  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const max = sorted.at(-1) ?? 0;
  console.log(
    `hostile neighbours: ${SOCKETS} sockets + ${SLOW_CLIENTS} slow clients, REST p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms (${latencies.length} calls)`,
  );
  const longestHeld = Math.max(0, ...held);
  console.log(
    `server side: ${held.length} hostile connections ended, longest held ${longestHeld} ms, ${open.size} open at the end (oldest ${oldestOpen} ms)`,
  );
  console.log(JSON.stringify(report));

  assert.equal(failures, 0, 'every REST call answered 200');
  assert.ok(latencies.length > 20, `the probe ran (${latencies.length} calls)`);
  assert.ok(p99 < 1_000, `REST p99 ${p99.toFixed(0)} ms within 1 s`);
  // A generous bound for one call: other test runs share this 2-core machine.
  assert.ok(max < 3_000, `REST max ${max.toFixed(0)} ms`);

  // Unauthenticated sockets: refused (4010, cut a second later), or 429 past the limit per address;
  // dribbled headers are cut (408) at the headers timeout, dribbled bodies at the request timeout.
  const { websocket, headers, body } = report;
  assert.ok(
    (websocket.answers['101'] ?? 0) > 0 && (websocket.answers['429'] ?? 0) > 0,
    `refused, or 429 past ${SOCKETS_PER_IP} per address`,
  );
  assert.ok((headers.answers['408'] ?? 0) > 0, `dribbled headers are cut (${JSON.stringify(headers)})`);
  assert.ok((body.answers['408'] ?? 0) > 0, `dribbled bodies are cut (${JSON.stringify(body)})`);
  assert.ok(held.length > SOCKETS + SLOW_CLIENTS, `the server ended the hostile connections (${held.length})`);
  // No hostile connection outlives the longest timeout, from when the server took it.
  assert.ok(longestHeld < REQUEST_TIMEOUT_MS + SLACK_MS, `longest held ${longestHeld} ms`);
  assert.ok(oldestOpen < REQUEST_TIMEOUT_MS + SLACK_MS, `oldest still open ${oldestOpen} ms`);
});
