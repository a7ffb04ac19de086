import assert from 'node:assert/strict';
import { DESKTOP_CLIENT_ID, type QrCreateResponse } from '@multidesk/protocol';
import type { TestPortal } from './harness.ts';
import { pkcePair, postJson } from './signIn.ts';
import { Browser, type PageResponse } from './webPagesClient.ts';

export const PASSWORD = 'multidesk-demo';

export interface DesktopQr extends QrCreateResponse {
  /** The site it was created on: `http://acme.localhost:PORT`, or the network's address. */
  site: string;
  verifier: string;
}

type DeviceFields = Partial<Record<'device_name' | 'device_os' | 'app_version', string>>;

/** The body the desktop posts to `/qr/requests`, for a PKCE challenge. */
export function qrRequestBody(challenge = pkcePair().challenge, device: DeviceFields = {}) {
  return {
    client_id: DESKTOP_CLIENT_ID,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    device_name: 'Anna’s laptop',
    device_os: 'Linux 6.12',
    app_version: '0.1.0',
    ...device,
  };
}

/** The desktop's side: creates a QR request on a portal (or the network, without a name). */
export async function createQr(portal: TestPortal, portalName?: string, device: DeviceFields = {}): Promise<DesktopQr> {
  const site = portal.url(portalName);
  const pkce = pkcePair();
  const created = await postJson(`${site}/qr/requests`, qrRequestBody(pkce.challenge, device));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return { ...created.body, site, verifier: pkce.verifier };
}

/** The desktop polls with its secret; `wait` 0 answers at once. */
export function poll(qr: Pick<DesktopQr, 'site' | 'id' | 'poll_token'>, wait = 0, signal?: AbortSignal) {
  return postJson(`${qr.site}/qr/requests/poll`, { id: qr.id, poll_token: qr.poll_token, wait }, {}, signal);
}

/** A browser or phone signed in to the site (a portal, or the network without a name). */
export async function signedInBrowser(portal: TestPortal, portalName: string | undefined, email: string): Promise<Browser> {
  const browser = new Browser(portal.url(portalName));
  await browser.signIn(email, PASSWORD);
  return browser;
}

/** Opens the approval page and presses a button: `approve` or `deny`, with the page's CSRF token. */
export async function decide(browser: Browser, id: string, decision: 'approve' | 'deny'): Promise<PageResponse> {
  const page = await browser.get(`/qr/${id}`);
  assert.equal(page.status, 200, page.text);
  return browser.post(`/qr/${id}/${decision}`, { csrf: Browser.csrf(page.text) });
}

/** The stored status of a request, straight from the database. */
export async function storedStatus(portal: TestPortal, id: string): Promise<string | undefined> {
  return (await portal.db.selectFrom('qr_requests').select('status').where('id', '=', id).executeTakeFirst())?.status;
}
