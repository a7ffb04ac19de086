import type { Server, Socket } from 'node:net';
import { compile } from '@fastify/proxy-addr';

/** `--trust-proxy` names something that is neither an address, a range nor a range's name. */
export class TrustedAddressError extends Error {}

/** Whether a peer address is one of the trusted balancers (the hop index is proxy-addr's). */
export type TrustedAddress = (address: string, hop: number) => boolean;

/**
 * The balancers of `--trust-proxy`, read once by the parser Fastify itself uses (@fastify/proxy-addr:
 * addresses, CIDR ranges or netmasks, `loopback`, `linklocal`, `uniquelocal`), so that the requests'
 * X-Forwarded-* and the connection cap believe the same peers. Throws TrustedAddressError naming
 * the first entry it cannot read.
 */
export function trustedAddresses(entries: readonly string[]): TrustedAddress {
  for (const entry of entries) {
    try {
      compile(entry);
    } catch {
      throw new TrustedAddressError(`"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal`);
    }
  }
  return compile([...entries]);
}

/**
 * Caps the TCP connections one client address holds open at once: past `limit`, a new one is
 * closed as soon as it is accepted, before any of its bytes is read. Without it one address could
 * hold as many idle connections as the machine has file descriptors (each may wait up to the
 * connection timeout before sending a request). A trusted balancer's connections are not counted:
 * it carries many clients, whose own limits (sign-in throttles, Push & Pull sockets) apply to the
 * address it names.
 */
export function capConnectionsPerAddress(server: Server, limit: number, trusted: TrustedAddress): void {
  const held = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || trusted(address, 0)) return;
    const count = held.get(address) ?? 0;
    if (count >= limit) {
      socket.destroy();
      return;
    }
    held.set(address, count + 1);
    socket.once('close', () => {
      const left = (held.get(address) ?? 1) - 1;
      if (left > 0) held.set(address, left);
      else held.delete(address);
    });
  });
}
