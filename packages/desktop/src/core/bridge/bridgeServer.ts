import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BRIDGE_COOKIE,
  BRIDGE_EVENTS_PATH,
  type BridgeEvent,
  type BridgeMethod,
  bridgeApi,
  type DialogRef,
  matches,
  type WindowKind,
} from '@multidesk/protocol';
import { Value } from 'typebox/value';
import { type WebSocket, WebSocketServer } from 'ws';
import { UnknownAccountError } from '../accounts/accountManager.ts';
import { type BridgeCore, createBridgeHandlers } from './bridgeHandlers.ts';
import { MalformedPathError, readUiFile } from './staticFiles.ts';

const MAX_BODY_BYTES = 64 * 1024;
/** A pushed state waits this long for more changes: a window draws about 60 frames a second, and sees no more states than that. */
const STATE_INTERVAL_MS = 16;
const ROUTES = new Map(Object.entries(bridgeApi).map(([method, route]) => [route.path, method as BridgeMethod]));

export interface Bridge {
  origin: string;
  /** A one-time URL that signs a window in to the bridge and lands on its page. */
  bootUrl(window: WindowKind): string;
  close(): Promise<void>;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...extra });
  res.end(body);
}

/** Subscribes `listener` to an owner's typed event; the answer unsubscribes it. */
function listen<Events extends Record<keyof Events, unknown[]>, K extends keyof Events & string>(
  emitter: EventEmitter<Events>,
  event: K,
  listener: (...args: Events[K]) => void,
): () => void {
  const untyped = emitter as unknown as EventEmitter;
  untyped.on(event, listener as (...args: unknown[]) => void);
  return () => untyped.off(event, listener as (...args: unknown[]) => void);
}

/**
 * The browser's Fetch Metadata: a request another site or another local server's page made
 * (`cross-site`, `same-site`: ports do not count, so that page would carry the cookie). Only the
 * bridge's own pages (`same-origin`) and the user opening a window (`none`) get through.
 */
function fromElsewhere(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** The request's URL; null for a target no URL parser reads (`//`, `/\\`): the client's mistake, a 400. */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://bridge');
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), { 'cache-control': 'no-store' });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class BodyTooLargeError extends Error {}

/**
 * How long a boot URL works if nobody opens it: a window opens its own within seconds, a person
 * copies a printed one within minutes. One never opened (a window that failed to start, an address
 * left in a terminal or a crashed browser's command line) must not hand out the secret later.
 */
export const BOOT_URL_TTL_MS = 10 * 60_000;

/**
 * The UI's only door to the core: 127.0.0.1, a random port, and a per-launch secret in an
 * HttpOnly, SameSite=Strict cookie that only the one-time boot URLs hand out. Every request must
 * carry the cookie and name this exact host (DNS rebinding); every call and socket must come from
 * this exact origin (CSRF, cross-site WebSocket hijacking).
 */
export async function startBridge(
  core: BridgeCore,
  uiDir: string,
  options: { openWindow?: (bootUrl: string) => void; now?: () => number } = {},
): Promise<Bridge> {
  const now = options.now ?? Date.now;
  const secret = randomBytes(32).toString('base64url');
  const bootTokens = new Map<string, { window: WindowKind; expiresAt: number }>();
  /** Which window each events socket belongs to (it says so when it connects). */
  const windowOf = new Map<WebSocket, WindowKind>();
  /** A chat to show once the Messenger window, opened for it, connects. */
  let chatToShow: DialogRef | null = null;
  const bootUrl = (window: WindowKind) => {
    const token = randomBytes(24).toString('base64url');
    // Expired ones go as new ones come: the map holds only what could still be opened.
    for (const [unused, { expiresAt }] of bootTokens) if (expiresAt <= now()) bootTokens.delete(unused);
    bootTokens.set(token, { window, expiresAt: now() + BOOT_URL_TTL_MS });
    return `${origin}/boot/${token}`;
  };
  const showChat = ({ id, dialogId }: DialogRef) => {
    const event: BridgeEvent = { type: 'open-chat', accountId: id, dialogId };
    const messengers = [...windowOf].filter(([ws, kind]) => kind === 'messenger' && ws.readyState === ws.OPEN);
    if (messengers.length > 0) {
      for (const [ws] of messengers) ws.send(JSON.stringify(event));
      return;
    }
    chatToShow = { id, dialogId };
    options.openWindow?.(bootUrl('messenger'));
  };
  const handlers = createBridgeHandlers(core, showChat);
  let origin = '';
  let host = '';

  const csp = () =>
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${host}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'`;

  const server = createServer(async (req, res) => {
    try {
      const url = requestUrl(req);
      if (!url) return send(res, 400, 'text/plain; charset=utf-8', 'Malformed request path.');
      if (req.headers.host !== host) return send(res, 421, 'text/plain', 'Misdirected request');
      if (fromElsewhere(req)) return send(res, 403, 'text/plain; charset=utf-8', 'Open Multidesk from its own window.');
      if (req.method === 'GET' && url.pathname.startsWith('/boot/')) return boot(url, res);
      if (!sameSecret(cookieValue(req.headers.cookie, BRIDGE_COOKIE), secret)) {
        return send(res, 401, 'text/plain; charset=utf-8', 'Open Multidesk from its own window.');
      }
      if (req.method === 'POST') return await api(url, req, res);
      if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method not allowed');
      const page = url.pathname === '/workspace' || url.pathname === '/messenger' ? `${url.pathname}.html` : url.pathname;
      const file = await readUiFile(uiDir, page);
      if (!file) return send(res, 404, 'text/plain', 'Not found');
      const html = file.type.startsWith('text/html');
      return send(res, 200, file.type, file.body, {
        'cache-control': html ? 'no-store' : 'private, max-age=31536000, immutable',
        ...(html ? { 'content-security-policy': csp() } : {}),
      });
    } catch (error) {
      if (error instanceof MalformedPathError) return send(res, 400, 'text/plain; charset=utf-8', error.message);
      process.stderr.write(`bridge: ${(error as Error).stack ?? error}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', message: 'Something went wrong in Multidesk.' });
      else res.end();
    }
  });

  function boot(url: URL, res: ServerResponse): void {
    const token = url.pathname.slice('/boot/'.length);
    const found = bootTokens.get(token);
    bootTokens.delete(token);
    if (!found || found.expiresAt <= now()) {
      send(res, 403, 'text/plain; charset=utf-8', 'This link was used already or has expired. Open Multidesk from its own window.');
      return;
    }
    const { window } = found;
    send(res, 303, 'text/plain', '', {
      location: `/${window}`,
      'set-cookie': `${BRIDGE_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
    });
  }

  async function api(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.origin !== origin)
      return sendJson(res, 403, { error: 'forbidden_origin', message: 'Requests must come from Multidesk windows.' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { error: 'unsupported_media_type', message: 'Send JSON.' });
    }
    const method = ROUTES.get(url.pathname);
    if (!method) return sendJson(res, 404, { error: 'not_found', message: `No bridge route ${url.pathname}.` });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, { error: 'payload_too_large', message: 'The request is too large.' });
      return sendJson(res, 400, { error: 'invalid_json', message: 'The request body is not JSON.' });
    }
    const schema = bridgeApi[method].request;
    let cleaned: unknown;
    let valid: boolean;
    try {
      cleaned = Value.Clean(schema, body);
      valid = matches(schema, cleaned);
    } catch (error) {
      // JSON nested thousands deep (it fits in 64 KiB) overflows the schema walk's stack.
      if (!(error instanceof RangeError)) throw error;
      return sendJson(res, 400, { error: 'invalid_request', message: 'request: is nested too deeply' });
    }
    if (!valid) {
      const [first] = Value.Errors(schema, cleaned);
      return sendJson(res, 400, {
        error: 'invalid_request',
        message: `${first?.instancePath || 'request'}: ${first?.message ?? 'is invalid'}`,
      });
    }
    try {
      const handler = handlers[method] as (request: unknown) => Promise<unknown>;
      sendJson(res, 200, await handler(cleaned));
    } catch (error) {
      if (error instanceof UnknownAccountError) return sendJson(res, 404, { error: 'unknown_account', message: error.message });
      throw error;
    }
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const allowed =
      url?.pathname === BRIDGE_EVENTS_PATH &&
      req.headers.host === host &&
      req.headers.origin === origin &&
      !fromElsewhere(req) &&
      sameSecret(cookieValue(req.headers.cookie, BRIDGE_COOKIE), secret);
    if (!allowed) {
      // Closed once the answer is out, as ws does: an upgraded socket's unread bytes would keep it
      // half open (and the bridge's close waiting on it) for as long as the client likes.
      socket.once('finish', () => socket.destroy());
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const kind = url.searchParams.get('window');
    sockets.handleUpgrade(req, socket, head, (ws) => {
      // A frame ws cannot read (reserved bits, bad UTF-8, too large) is an 'error' it closes the
      // socket for; unheard, it would be an uncaught exception that ends the core.
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ type: 'state', state: core.state() } satisfies BridgeEvent));
      if (kind === 'workspace' || kind === 'messenger') {
        windowOf.set(ws, kind);
        ws.once('close', () => windowOf.delete(ws));
      }
      if (kind === 'messenger' && chatToShow) {
        ws.send(JSON.stringify({ type: 'open-chat', accountId: chatToShow.id, dialogId: chatToShow.dialogId } satisfies BridgeEvent));
        chatToShow = null;
      }
    });
  });

  /** To every window, or to every window but `skip` (which has no use for the event). */
  const broadcast = (event: BridgeEvent, skip?: WindowKind) => {
    const text = JSON.stringify(event);
    for (const client of sockets.clients) {
      if (client.readyState === client.OPEN && (skip === undefined || windowOf.get(client) !== skip)) client.send(text);
    }
  };
  // Windows subscribe to the owners of what they show: the account list, each home, tasks, chats, unread counts.
  // The whole state goes at most once a frame, a frame after the change that moved it: a burst of
  // messages moves the unread counts hundreds of times a second, and each state a window gets is
  // checked and rendered whole. A message's own change (its delta) goes at once and draws alone;
  // the counts it moved follow in the next frame, not in the frame that shows it (4 to 5 ms off
  // the Messenger's REST-to-painted p50, bench/realtime, alternating runs).
  let stateQueued: NodeJS.Timeout | undefined;
  const onState = () => {
    stateQueued ??= setTimeout(() => {
      stateQueued = undefined;
      broadcast({ type: 'state', state: core.state() });
    }, STATE_INTERVAL_MS);
  };
  const unsubscribe = [
    listen(core.manager, 'changed', onState),
    listen(core.unread, 'changed', onState),
    // The language and the settings notice travel in the state.
    listen(core.settings, 'changed', onState),
    listen(core.home, 'changed', (accountId) => broadcast({ type: 'home-changed', accountId })),
    listen(core.tasks, 'changed', (accountId) => broadcast({ type: 'tasks-changed', accountId })),
    listen(core.chats, 'changed', (accountId, dialogId) =>
      broadcast({ type: 'chats-changed', accountId, ...(dialogId === undefined ? {} : { dialogId }) }),
    ),
    // The Workspace shows no chats: in a burst of messages it is spared parsing each.
    listen(core.chats, 'delta', (accountId, delta) => broadcast({ type: 'chat-delta', accountId, ...delta }, 'workspace')),
    listen(core.notifier, 'notify', (notification) => broadcast({ type: 'notify', ...notification })),
  ];

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;

  return {
    origin,
    bootUrl,
    async close() {
      clearTimeout(stateQueued);
      for (const stop of unsubscribe) stop();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
