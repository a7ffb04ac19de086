import type { RestCredentials } from './auth.ts';

export interface RestAddress {
  method: string;
  /** Set for inbound webhooks: `/rest/<member id>/<secret>/<method>`. */
  webhook?: Extract<RestCredentials, { kind: 'webhook' }>;
}

function decode(segment: string): string | null {
  if (!segment.includes('%')) return segment;
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
  const query = url.indexOf('?');
  const end = query < 0 ? url.length : query;
  const segments: string[] = [];
  // The first segment is `rest` (the route matched it); at most three follow. Read with indexOf
  // rather than split: this runs on every REST request.
  let skippedRest = false;
  for (let from = 0; from < end; ) {
    const slash = url.indexOf('/', from);
    const to = slash < 0 || slash > end ? end : slash;
    if (to > from) {
      if (skippedRest) {
        const segment = decode(url.slice(from, to));
        if (segment === null || segments.length === 3) return null;
        segments.push(segment);
      }
      skippedRest = true;
    }
    from = to + 1;
  }
  const [first, second, third] = segments;
  if (segments.length === 1 && first) return { method: first };
  if (segments.length === 3 && first && second && third && /^\d{1,10}$/.test(first)) {
    return { method: third, webhook: { kind: 'webhook', memberId: Number(first), secret: second } };
  }
  return null;
}
