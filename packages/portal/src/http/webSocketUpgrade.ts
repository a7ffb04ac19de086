import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type WebSocket, WebSocketServer } from 'ws';

/** An upgrade that has not become a WebSocket (or an HTTP answer) by then is dropped. */
const UPGRADE_TIMEOUT_MS = 10_000;

const kUpgrade = Symbol('upgrade');

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  response: ServerResponse;
}

type UpgradingMessage = IncomingMessage & { [kUpgrade]?: PendingUpgrade };

declare module 'fastify' {
  interface FastifyRequest {
    /** The request asks to become a WebSocket (`Connection: upgrade`); `acceptWebSocket` takes it. */
    readonly isUpgrade: boolean;
  }
  interface FastifyInstance {
    /**
     * Completes the WebSocket handshake of an upgrade request and hands the socket over. The
     * request and reply are not kept: a socket lives for hours, and Fastify's request, reply and
     * the HTTP objects under them were a third of each idle socket's memory.
     */
    acceptWebSocket(request: FastifyRequest, reply: FastifyReply, open: (socket: WebSocket) => void): void;
  }
}

/** The socket's error and timeout listener until ws takes it: one function, nothing captured per socket. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * WebSocket upgrades routed through Fastify like any request (the Host's tenancy, per-address
 * limits, query schemas and errors all apply), then handed to `ws` with nothing of the request
 * left holding on. An upgrade answered over HTTP instead (an unknown host, a refusal) is closed
 * once the answer is written.
 */
async function webSocketUpgrade(app: FastifyInstance, options: { maxPayload: number }): Promise<void> {
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: options.maxPayload });

  const onUpgrade = (raw: UpgradingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own error listener before emitting 'upgrade'.
    socket.on('error', destroySocket);
    socket.once('timeout', destroySocket);
    (socket as Socket).setTimeout(UPGRADE_TIMEOUT_MS);
    const response = new ServerResponse(raw);
    response.assignSocket(socket as Socket);
    // An HTTP answer ends the exchange: nothing else will read from this socket.
    response.once('finish', () => socket.end());
    raw[kUpgrade] = { socket, head, response };
    try {
      app.routing(raw, response);
    } catch (err) {
      app.log.warn({ err }, 'websocket upgrade failed');
      socket.destroy();
    }
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('onClose', async () => {
    app.server.off('upgrade', onUpgrade);
  });

  app.decorateRequest('isUpgrade', {
    getter(this: FastifyRequest) {
      return (this.raw as UpgradingMessage)[kUpgrade] !== undefined;
    },
  });

  app.decorate('acceptWebSocket', (request: FastifyRequest, reply: FastifyReply, open: (socket: WebSocket) => void) => {
    const raw = request.raw as UpgradingMessage;
    const pending = raw[kUpgrade];
    if (!pending) throw new Error('acceptWebSocket: not an upgrade request');
    raw[kUpgrade] = undefined;
    reply.hijack();
    const { socket, head, response } = pending;
    response.detachSocket(socket as Socket);
    (socket as Socket).setTimeout(0);
    socket.off('timeout', destroySocket);
    // ws puts its own error handling on the socket as it takes it.
    socket.off('error', destroySocket);
    wss.handleUpgrade(raw, socket, head, open);
  });
}

export default fp(webSocketUpgrade, { name: 'websocket-upgrade' });
