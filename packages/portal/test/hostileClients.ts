/**
 * Hostile neighbours of a portal, run in a child process of their own (so that their work is not
 * the server's event loop): WebSockets opened without a valid channel that never answer, and
 * slow-loris clients dribbling headers or bodies. Every client that the server drops is replaced,
 * so the pressure holds for the whole run. Started by `startHostileClients`; reports what the
 * server did to each kind.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface HostileOptions {
  port: number;
  /** `Host` header: the portal attacked. */
  host: string;
  /** The address the clients come from (another loopback address than the legitimate client's). */
  localAddress: string;
  sockets: number;
  slowClients: number;
  durationMs: number;
}

export interface KindReport {
  /** Connections made (replacements included). */
  opened: number;
  /** First line of the server's answer, counted by status (`101`, `408`, `429`...), `none` if it only closed. */
  answers: Record<string, number>;
  /** Longest time the server let one connection live, of those it ended (ms). */
  longestHeldMs: number;
  /** Ended by the server during the run. */
  endedByServer: number;
  /** Still open at the end of the run, and the oldest of them (ms). */
  stillOpen: number;
  oldestOpenMs: number;
  /** Still waiting for the server to accept the connection at the end (its backlog was full). */
  stillConnecting: number;
}

export type HostileReport = Record<'websocket' | 'headers' | 'body', KindReport>;

type Kind = keyof HostileReport;

function client(options: HostileOptions, kind: Kind, report: KindReport, live: Set<{ at: number }>, stopped: () => boolean): void {
  if (stopped()) return;
  report.opened++;
  /** Times count from the moment the server accepted the connection. */
  const entry = { at: 0 };
  live.add(entry);
  const socket: Socket = connect({ port: options.port, host: '127.0.0.1', localAddress: options.localAddress });
  let answer = '';
  let dribble: NodeJS.Timeout | undefined;
  socket.on('data', (data) => {
    if (!answer) answer = data.toString('latin1').split('\r\n')[0] ?? '';
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(dribble);
    live.delete(entry);
    if (stopped()) return;
    if (entry.at === 0) {
      setTimeout(() => client(options, kind, report, live, stopped), 50);
      return;
    }
    const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'none';
    report.answers[status] = (report.answers[status] ?? 0) + 1;
    report.endedByServer++;
    report.longestHeldMs = Math.max(report.longestHeldMs, Date.now() - entry.at);
    // Replaced at once: the pressure holds.
    setTimeout(() => client(options, kind, report, live, stopped), 50);
  });
  socket.on('connect', () => {
    entry.at = Date.now();
    const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
    if (kind === 'websocket') {
      // A complete upgrade with a forged channel, or none; then silence (no close frame back).
      const channel = report.opened % 2 ? `?CHANNEL_ID=${randomBytes(16).toString('hex')}.${randomBytes(20).toString('hex')}` : '';
      socket.write(
        head([
          `GET /bitrix/subws/${channel} HTTP/1.1`,
          `Host: ${options.host}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
        ]),
      );
    } else if (kind === 'headers') {
      // Headers that never end: a byte every 200 ms (a REST request, or an upgrade).
      const path = report.opened % 2 ? '/rest/user.current' : '/bitrix/subws/';
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${options.host}\r\nX-Slow: `);
      dribble = setInterval(() => socket.write('a'), 200);
    } else {
      // A body announced at 1 MB and sent ten bytes every 200 ms.
      socket.write(
        head([
          'POST /rest/user.current HTTP/1.1',
          `Host: ${options.host}`,
          'Content-Type: application/x-www-form-urlencoded',
          'Content-Length: 1000000',
        ]),
      );
      dribble = setInterval(() => socket.write('auth=aaaaa'), 200);
    }
  });
}

async function run(options: HostileOptions): Promise<HostileReport> {
  let stop = false;
  const stopped = () => stop;
  const empty = (): KindReport => ({
    opened: 0,
    answers: {},
    longestHeldMs: 0,
    endedByServer: 0,
    stillOpen: 0,
    oldestOpenMs: 0,
    stillConnecting: 0,
  });
  const report: HostileReport = { websocket: empty(), headers: empty(), body: empty() };
  const live: Record<Kind, Set<{ at: number }>> = { websocket: new Set(), headers: new Set(), body: new Set() };
  const plan: [Kind, number][] = [
    ['websocket', options.sockets],
    ['headers', Math.ceil(options.slowClients / 2)],
    ['body', Math.floor(options.slowClients / 2)],
  ];
  // Opened in a ramp of 100 a tick, as a flood arrives.
  for (const [kind, count] of plan) {
    for (let i = 0; i < count; i++) {
      client(options, kind, report[kind], live[kind], stopped);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  stop = true;
  const now = Date.now();
  for (const kind of Object.keys(live) as Kind[]) {
    const open = [...live[kind]].filter((entry) => entry.at > 0);
    report[kind].stillOpen = open.length;
    report[kind].stillConnecting = live[kind].size - open.length;
    report[kind].oldestOpenMs = Math.max(0, ...open.map((entry) => now - entry.at));
  }
  return report;
}

/** Runs the hostile clients in a child process; resolves with their report when the run is over. */
export function startHostileClients(options: HostileOptions): Promise<HostileReport> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (report) => resolve(report as HostileReport));
    child.once('exit', (code) => reject(new Error(`the hostile clients exited (${code}) without a report`)));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const report = await run(JSON.parse(process.argv[2] as string) as HostileOptions);
  process.send(report, () => process.exit(0));
}
