import {
  BRIDGE_EVENTS_PATH,
  type BridgeEvent,
  type BridgeMethod,
  type BridgeRequest,
  type BridgeResponse,
  bridgeApi,
  type WindowKind,
} from '@multidesk/protocol/bridge';
import { isBridgeEvent } from './bridgeEventCheck.ts';
import { t } from './i18n/i18n.ts';

/**
 * The UI's only way to the core: typed from `bridgeApi`, so a route, its request and its response
 * are declared once (in protocol) and checked on both sides.
 */

/** A bridge call that did not answer its response type: HTTP 4xx/5xx `{error, message}`, or no answer at all. */
export class BridgeError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.status = status;
  }
}

/** `signal` ends the call early (a long poll the page no longer waits for): it then rejects with the signal's reason. */
export async function call<M extends BridgeMethod>(
  method: M,
  req: BridgeRequest<M>,
  options: { signal?: AbortSignal } = {},
): Promise<BridgeResponse<M>> {
  let res: Response;
  try {
    res = await fetch(bridgeApi[method].path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw new BridgeError('bridge_unreachable', t('bridge.unreachable'), 0);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const { error, message } = errorFields(body);
    throw new BridgeError(
      error ?? `http_${res.status}`,
      message ?? t('bridge.answered', { status: `${res.status} ${res.statusText}`.trim() }),
      res.status,
    );
  }
  if (body === null) throw new BridgeError('bad_response', t('bridge.badResponse'), res.status);
  return body as BridgeResponse<M>;
}

function errorFields(body: unknown): { error?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { error, message } = body as Record<string, unknown>;
  return {
    ...(typeof error === 'string' ? { error } : {}),
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return t('bridge.somethingWrong');
}

export interface EventHandlers {
  onEvent(event: BridgeEvent): void;
  /** Called on the first connection and on every reconnection: refetch what may have been missed. */
  onOpen(reconnected: boolean): void;
  onClose(): void;
}

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/**
 * The core's live updates. Reconnects with capped, jittered backoff while the window lives.
 * Returns a function that closes the socket for good.
 */
/** `window` tells the core which window listens (it shows a clicked notification's chat in the Messenger). */
export function connectEvents(window: WindowKind, handlers: EventHandlers): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let everOpened = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const open = () => {
    timer = undefined;
    const url = new URL(BRIDGE_EVENTS_PATH, globalThis.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('window', window);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      handlers.onOpen(everOpened);
      everOpened = true;
    };
    ws.onmessage = (msg) => {
      const event = parseEvent(msg.data);
      if (event) handlers.onEvent(event);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      handlers.onClose();
      if (!stopped) schedule();
    };
  };

  const schedule = () => {
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    // Full jitter on the upper half: never hammer, never wait past the cap.
    const delay = cap / 2 + Math.random() * (cap / 2);
    timer = globalThis.setTimeout(open, delay);
  };

  open();
  return () => {
    stopped = true;
    if (timer !== undefined) globalThis.clearTimeout(timer);
    socket?.close();
    socket = null;
  };
}

/** An event frame from the core, checked against its one declaration; anything else is ignored. */
export function parseEvent(data: unknown): BridgeEvent | null {
  if (typeof data !== 'string') return null;
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return null;
  }
  return isBridgeEvent(event) ? event : null;
}
