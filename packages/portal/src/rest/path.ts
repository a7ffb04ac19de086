import type { RestCredentials } from './auth.ts';

export interface RestAddress {
  method: string;
  /** Set for inbound webhooks: `/rest/<member id>/<secret>/<method>`. */
  webhook?: Extract<RestCredentials, { kind: 'webhook' }>;
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Reads `/rest/<method>` and `/rest/<member id>/<secret>/<method>` from a request URL. Empty
 * segments are skipped: the SDK joins `client_endpoint` (`…/rest/`) and `/method` into `//`.
 * Returns null for any other shape.
 */
export function parseRestPath(url: string): RestAddress | null {
  const pathname = url.split('?', 1)[0] ?? '';
  const segments = pathname.split('/').filter(Boolean).slice(1).map(decode);
  if (segments.some((s) => s === null)) return null;
  const [first, second, third] = segments as string[];
  if (segments.length === 1 && first) return { method: first };
  if (segments.length === 3 && first && second && third && /^\d{1,10}$/.test(first)) {
    return { method: third, webhook: { kind: 'webhook', memberId: Number(first), secret: second } };
  }
  return null;
}
