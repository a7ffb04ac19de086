import { lookup as dnsLookup } from 'node:dns';
import { Agent, setGlobalDispatcher } from 'undici';

/**
 * `*.localhost` is loopback (RFC 6761) but getaddrinfo here does not resolve it; map it ourselves
 * so that fetch can address portals by host name, as a real client does.
 */
export function localhostLookup(
  hostname: string,
  options: object,
  callback: (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, options, callback as never);
}

setGlobalDispatcher(new Agent({ connect: { lookup: localhostLookup as never } }));
