import { isLoopback } from './portalAddress.ts';

export interface WebhookAddress {
  /** The portal's origin, e.g. `https://acme.bitrix24.com`. */
  origin: string;
  userId: number;
  code: string;
}

export type WebhookUrlCheck = { ok: true; webhook: WebhookAddress } | { ok: false; message: string };

const EXAMPLE = 'https://your-company.bitrix24.com/rest/1/abcd1234efgh5678/';
/** `/rest/<user id>/<code>/`, then maybe the method of Bitrix24's example call (`profile.json`). */
const PATH = /^\/rest\/(\d{1,10})\/([A-Za-z0-9_]{8,64})\/?(?:[A-Za-z0-9_.]+\/?)?$/;

/**
 * Reads an inbound webhook URL as Bitrix24 shows it (Developer resources › Incoming webhook).
 * The code travels in the path, so plain http is refused except on this machine.
 */
export function parseWebhookUrl(text: string): WebhookUrlCheck {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: `Paste the webhook URL as Bitrix24 shows it, like ${EXAMPLE}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `A webhook URL starts with https://, like ${EXAMPLE}` };
  }
  if (url.username || url.password) return { ok: false, message: 'A webhook URL carries no user name or password before the address.' };
  if (url.protocol === 'http:' && !isLoopback(url.hostname.toLowerCase())) {
    return { ok: false, message: 'This webhook URL uses http://: its code would travel unencrypted. Use the https:// address.' };
  }
  const match = PATH.exec(url.pathname);
  if (!match) {
    return {
      ok: false,
      message: `This is not an inbound webhook URL: it needs /rest/<user id>/<code>/ after the address, like ${EXAMPLE}`,
    };
  }
  return { ok: true, webhook: { origin: url.origin, userId: Number(match[1]), code: match[2] as string } };
}
