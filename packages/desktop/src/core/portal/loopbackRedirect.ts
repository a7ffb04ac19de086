import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSO_LOOPBACK_CALLBACK_PATH } from '@multidesk/protocol';

/** What the browser shows when it lands on the loopback: words only, never a code or a state. */
export interface LoopbackPage {
  ok: boolean;
  title: string;
  message: string;
}

/** The one redirect that carried the right state: its parameters, and the browser still waiting for a page. */
export interface LoopbackCallback {
  params: URLSearchParams;
  /** Shows the outcome in the browser; the listener then stops. */
  answer(page: LoopbackPage): void;
}

export interface LoopbackListener {
  /** `http://127.0.0.1:<port>/callback` */
  redirectUri: string;
  callback: Promise<LoopbackCallback>;
  /** Stops listening; a browser still waiting gets a page saying the sign-in ended. */
  close(): void;
}

const CLOSE_HINT = 'You can close this window and go back to Multidesk.';

/** Compared as hashes: equal lengths for timingSafeEqual, and no length leaks either. */
function sameState(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendPage(res: ServerResponse, status: number, page: LoopbackPage): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(page.title)} – Multidesk</title><style>body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#eef2f6;color:#1f2a37}main{max-width:440px;margin:80px auto;padding:32px;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001}h1{font-size:1.3rem;margin:0 0 8px}.error{color:#8a1c12}</style></head><body><main><h1>${escapeHtml(page.title)}</h1><p${page.ok ? '' : ' class="error" role="alert"'}>${escapeHtml(page.message)}</p><p>${CLOSE_HINT}</p></main></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // Nothing runs, loads, posts or frames: the address bar held a code a moment ago.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(html);
}

/**
 * The desktop's end of an RFC 8252 loopback redirect: 127.0.0.1, a port the system picks (or the
 * fixed one a Bitrix24 app has registered), the path /callback only. A request with a missing or wrong state gets a page saying so and changes
 * nothing: the listener keeps waiting for the real answer (a stray or forged request cannot end
 * the user's sign-in), until the caller's timeout or cancel closes it. The first request with the
 * right state is handed over with the browser still waiting, so that its page can tell the outcome.
 */
export async function listenOnLoopback(state: string, port = 0): Promise<LoopbackListener> {
  const { promise: callback, resolve } = Promise.withResolvers<LoopbackCallback>();
  let host = '';
  let held: ServerResponse | null = null;
  let finished = false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    // Another name for this address (DNS rebinding) is not the redirect the portal was given.
    if (req.headers.host !== host)
      return sendPage(res, 421, { ok: false, title: 'Wrong address', message: 'This is not a Multidesk address.' });
    if (req.method !== 'GET' || url.pathname !== SSO_LOOPBACK_CALLBACK_PATH) {
      return sendPage(res, 404, { ok: false, title: 'Not found', message: 'There is nothing here.' });
    }
    if (finished) {
      return sendPage(res, 410, { ok: false, title: 'Sign-in finished', message: 'This sign-in has ended already in Multidesk.' });
    }
    if (!sameState(url.searchParams.get('state'), state)) {
      return sendPage(res, 400, {
        ok: false,
        title: 'Not this sign-in',
        message:
          'This answer does not belong to the sign-in Multidesk is waiting for, so it was ignored. If you started a sign-in, finish it in the window Multidesk opened, or start again in Multidesk.',
      });
    }
    finished = true;
    held = res;
    const params = new URLSearchParams(url.searchParams);
    params.delete('state');
    resolve({
      params,
      answer: (page) => {
        if (held !== res) return;
        held = null;
        res.once('finish', stop);
        sendPage(res, page.ok ? 200 : 400, page);
      },
    });
  });

  const stop = () => {
    server.close();
    server.closeAllConnections();
  };

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    redirectUri: `http://${host}${SSO_LOOPBACK_CALLBACK_PATH}`,
    callback,
    close: () => {
      finished = true;
      const waiting = held;
      held = null;
      if (waiting) {
        waiting.once('finish', stop);
        sendPage(waiting, 410, { ok: false, title: 'Sign-in ended', message: 'Multidesk stopped this sign-in.' });
      } else stop();
    },
  };
}
