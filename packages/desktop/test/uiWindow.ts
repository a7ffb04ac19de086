import assert from 'node:assert/strict';
import { BRIDGE_COOKIE, type WindowKind } from '@multidesk/protocol';

/**
 * A Multidesk window's page, in Node: what the browser gives the UI's code (`src/ui`) that Node
 * does not. `location` is the page's address on the bridge; `fetch` and `WebSocket` resolve the
 * UI's relative paths there and send the bridge's cookie and the page's Origin, as a browser does
 * for a page the bridge served. Requests to anywhere else (the core's own calls to portals, the
 * test's REST calls) pass through untouched. The UI's code runs unchanged on it.
 *
 * It also lets a test watch and steer what goes between the page and the bridge: every call is
 * recorded, an answer can be held back after the bridge gave it (an answer that comes late), and
 * the events socket can be dropped and kept from coming back.
 */
export interface UiWindow {
  /** Every bridge call the page made, in order: its path and its JSON body. */
  readonly calls: { path: string; body: any }[];
  /**
   * Holds the next call to `path` once the bridge has answered it: the page gets that answer only
   * on `release()`. `answered` is the answer's body, as the bridge gave it.
   */
  holdNext(path: string): { answered: Promise<any>; release(): void };
  /** Closes the page's open events sockets, as a dropped connection does. */
  dropEvents(): void;
  /** While true, the page's events sockets are refused (403), as when the core cannot be reached. */
  eventsDown: boolean;
  /** Gives Node its own `fetch` and `WebSocket` back and removes `location`. */
  close(): void;
}

interface BridgeAddress {
  origin: string;
  bootUrl(window: WindowKind): string;
}

/** Opens the window's boot URL (it sets the bridge's cookie) and installs the page's globals. */
export async function openUiWindow(bridge: BridgeAddress, kind: WindowKind): Promise<UiWindow> {
  const boot = await fetch(bridge.bootUrl(kind), { redirect: 'manual' });
  const secret = new RegExp(`${BRIDGE_COOKIE}=([^;]+)`).exec(boot.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(secret, `the boot URL set no cookie (${boot.status})`);
  const cookie = `${BRIDGE_COOKIE}=${secret}`;
  const { origin } = bridge;
  const bridgeHost = new URL(origin).host;

  const nodeFetch = globalThis.fetch;
  const NodeWebSocket = globalThis.WebSocket;
  const calls: UiWindow['calls'] = [];
  const holds = new Map<string, { answered(body: unknown): void; released: Promise<void> }>();
  const sockets = new Set<WebSocket>();

  const pageFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (typeof input !== 'string' || !input.startsWith('/')) return nodeFetch(input, init);
    calls.push({ path: input, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined });
    const hold = holds.get(input);
    holds.delete(input);
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    headers.set('origin', origin);
    const response = await nodeFetch(new URL(input, origin), { ...init, headers });
    if (hold) {
      hold.answered(await response.clone().json());
      await hold.released;
    }
    return response;
  };

  // A function, not a subclass: the page calls `new WebSocket(url)`, and an object returned from it is the socket.
  function PageWebSocket(url: string | URL, protocols?: string | string[]): WebSocket {
    if (new URL(url).host !== bridgeHost) return new NodeWebSocket(url, protocols);
    // Node's WebSocket (undici) takes request headers in its second argument; a browser sends these itself.
    const headers = page.eventsDown ? { origin } : { origin, cookie };
    const socket = new NodeWebSocket(url, { headers } as never);
    sockets.add(socket);
    socket.addEventListener('close', () => sockets.delete(socket));
    return socket;
  }

  globalThis.fetch = pageFetch as typeof fetch;
  globalThis.WebSocket = PageWebSocket as unknown as typeof WebSocket;
  Object.defineProperty(globalThis, 'location', { value: new URL(`/${kind}`, origin), configurable: true, writable: true });

  const page: UiWindow = {
    calls,
    holdNext(path) {
      let answered!: (body: unknown) => void;
      let release!: () => void;
      const answer = new Promise<any>((resolve) => {
        answered = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(path, { answered, released });
      return { answered: answer, release };
    },
    dropEvents() {
      for (const socket of sockets) socket.close();
    },
    eventsDown: false,
    close() {
      for (const hold of holds.values()) hold.answered(undefined);
      holds.clear();
      globalThis.fetch = nodeFetch;
      globalThis.WebSocket = NodeWebSocket;
      delete (globalThis as { location?: unknown }).location;
    },
  };
  return page;
}
