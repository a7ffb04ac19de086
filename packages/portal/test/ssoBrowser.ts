import assert from 'node:assert/strict';

export interface Hop {
  url: string;
  status: number;
  location: string | null;
  text: string;
}

/**
 * A browser across origins (portal and identity provider): cookies kept per host, redirects
 * followed by hand so a test can stop anywhere, Origin sent on form posts.
 */
export class SsoBrowser {
  readonly jars = new Map<string, Map<string, string>>();

  jar(url: string): Map<string, string> {
    const host = new URL(url).host;
    let jar = this.jars.get(host);
    if (!jar) {
      jar = new Map();
      this.jars.set(host, jar);
    }
    return jar;
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const jar = this.jar(url);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    return { url, status: response.status, location: location === null ? null : new URL(location, url).href, text: await response.text() };
  }

  /** Follows redirects from `url` until an answer that is not one, or until `stop` says so (unfetched). */
  async follow(url: string, stop: (url: string) => boolean = () => false, init?: { method?: string; form?: Record<string, string> }) {
    let hop = await this.request(url, init);
    for (let i = 0; i < 10 && hop.location && !stop(hop.location); i++) hop = await this.request(hop.location);
    return hop;
  }
}

/** The identity provider's sign-in page: fills Login and Password and presses Sign in (or Cancel). */
export async function submitIdpForm(
  browser: SsoBrowser,
  page: Hop,
  stop: (url: string) => boolean,
  fields: { login: string; password: string } | 'cancel',
) {
  assert.equal(page.status, 200, `the identity provider shows its form: ${page.text.slice(0, 300)}`);
  assert.match(page.text, /<label for="login">Login<\/label>/);
  const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] as string;
  const cancel = /formaction="([^"]+)"/.exec(page.text)?.[1] as string;
  const target = new URL(fields === 'cancel' ? cancel : action, page.url).href;
  return browser.follow(target, stop, { method: 'POST', form: fields === 'cancel' ? {} : fields });
}

/** From a portal start URL to the moment the identity provider sends the browser back: the callback URL, not yet opened. */
export async function ssoToCallback(browser: SsoBrowser, startUrl: string, fields: { login: string; password: string } | 'cancel') {
  const portalHost = new URL(startUrl).host;
  const atPortal = (url: string) => new URL(url).host === portalHost;
  const start = await browser.request(startUrl);
  assert.equal(start.status, 303, `the portal sends the browser to the identity provider: ${start.text.slice(0, 300)}`);
  const form = await browser.follow(start.location as string, atPortal);
  const back = await submitIdpForm(browser, form, atPortal, fields);
  assert.ok(
    back.location && atPortal(back.location),
    `the identity provider sends the browser back: ${back.status} ${back.text.slice(0, 300)}`,
  );
  return back.location;
}
