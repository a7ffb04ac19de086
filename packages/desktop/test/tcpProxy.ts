import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a loopback port in front of `targetPort`: bytes pass as they are (HTTP, WebSocket
 * upgrades, keep-alive), and `cut()` resets every connection open at that moment, from both ends,
 * as a dropped Wi-Fi or a NAT that forgot its mapping would. New connections go through as before.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #open = new Set<Socket>();
  /** Connections cut so far. */
  cutConnections = 0;

  private constructor(server: Server, targetPort: number) {
    this.#server = server;
    this.#targetPort = targetPort;
  }

  static async start(targetPort: number, port = 0): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    server.on('connection', (client) => proxy.#pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#targetPort, '127.0.0.1');
    const pair = [client, upstream];
    for (const socket of pair) {
      this.#open.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => {});
      // One end gone (a reset, the server killed): the other goes too, at once.
      socket.on('close', () => {
        this.#open.delete(socket);
        for (const other of pair) if (other !== socket && !other.destroyed) other.resetAndDestroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Resets every connection open now (RST to both ends); returns how many pairs that was. */
  cut(): number {
    const sockets = [...this.#open];
    for (const socket of sockets) if (!socket.destroyed) socket.resetAndDestroy();
    this.cutConnections += sockets.length / 2;
    return sockets.length / 2;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
