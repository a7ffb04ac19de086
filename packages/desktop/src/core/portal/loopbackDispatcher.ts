import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent } from 'undici';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * `*.localhost` is loopback (RFC 6761), but getaddrinfo on many systems does not resolve it:
 * answer it ourselves, and ask DNS for everything else.
 */
export function loopbackAwareLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, options as never, callback as never);
}

/** The HTTP agent for every portal request: bounded connect and response times. */
export function createPortalDispatcher(): Agent {
  return new Agent({
    connect: { lookup: loopbackAwareLookup as never, timeout: 5_000 },
    headersTimeout: 15_000,
    bodyTimeout: 30_000,
    keepAliveTimeout: 10_000,
  });
}
