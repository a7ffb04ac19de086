import assert from 'node:assert/strict';

export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

/**
 * A browser as far as the pages can tell: keeps its cookies for one origin, sends Origin on
 * POSTs like browsers do, and never follows redirects on its own.
 */
export class Browser {
  readonly origin: string;
  readonly cookies = new Map<string, string>();
  userAgent: string;

  constructor(
    origin: string,
    userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
  ) {
    this.origin = origin;
    this.userAgent = userAgent;
  }

  get(path: string): Promise<PageResponse> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    return this.request('POST', path, body.toString(), { origin: this.origin, ...headers });
  }

  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(`${this.origin}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        'user-agent': this.userAgent,
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
      setCookies,
    };
  }

  /** Signs in with login and password (and a code when asked); asserts it ends on `expectLocation`. */
  async signIn(login: string, password: string, options: { code?: () => string; next?: string; expectLocation?: string } = {}) {
    const first = await this.post('/login', { login, password, ...(options.next ? { next: options.next } : {}) });
    let last = first;
    if (first.location === '/login/code') {
      assert.ok(options.code, 'a second factor was asked for');
      last = await this.post('/login/code', { code: options.code() });
    }
    assert.equal(last.status, 303, last.text);
    assert.equal(last.location, options.expectLocation ?? '/');
    return last;
  }

  /** The CSRF token of the page's forms. */
  static csrf(html: string): string {
    const match = /name="csrf" value="([^"]+)"/.exec(html);
    assert.ok(match, 'the page has a CSRF field');
    return match[1] as string;
  }
}

/** The text of the page's role=alert element, tags removed. */
export function alertText(html: string): string | undefined {
  const match = /<p[^>]*role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  return match?.[1]?.replace(/<[^>]+>/g, '').trim();
}

/** HTML decoded back to text, tags removed, whitespace collapsed. */
export function pageText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, ' ')
    .trim();
}
