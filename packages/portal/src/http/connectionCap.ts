import { BlockList, isIP, type Server, type Socket } from 'node:net';

/** proxy-addr's names (Fastify's `trustProxy` takes them too) and the ranges they stand for. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `--trust-proxy` names something that is neither an address, a CIDR range nor a range's name. */
export class TrustedAddressError extends Error {}

/**
 * The addresses of `--trust-proxy` (addresses, CIDR ranges, proxy-addr's `loopback`, `linklocal`
 * and `uniquelocal`) as one set. Throws TrustedAddressError naming an entry it cannot read.
 */
export function trustedAddresses(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))) {
      throw new TrustedAddressError(`"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`: the IPv4 address it is. */
function plainAddress(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1] as string, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * Caps the TCP connections one client address holds open at once: past `limit`, a new one is
 * closed as soon as it is accepted, before any of its bytes is read. Without
 * it one address could hold as many idle connections as the machine has file descriptors (each
 * may wait up to the connection timeout before sending a request). A trusted balancer's
 * connections are not counted: it carries many clients, whose own limits (sign-in throttles, Push &
 * Pull sockets) apply to the address it names.
 */
export function capConnectionsPerAddress(server: Server, limit: number, trusted: BlockList): void {
  const held = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const remote = socket.remoteAddress;
    if (remote === undefined) return;
    const { address, type } = plainAddress(remote);
    if (trusted.check(address, type)) return;
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
