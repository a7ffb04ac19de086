import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import websocket from '@fastify/websocket';
import { REALTIME_PATH, RealtimeCloseCode } from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RealtimeConnection } from '../realtime/connection.ts';
import { forwardTaskChanges } from '../realtime/taskBridge.ts';
import { pruneEventsBefore } from '../store/realtimeEvents.ts';
import { sendError } from './errors.ts';

/** Query parameters that would carry a credential: refused, so that a client doing so learns at once. */
const CREDENTIAL_PARAMS = /^(auth|access_token|token|bearer|authorization)$/i;
/** Client messages are tiny (auth, ping). */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
const PRUNE_INTERVAL_MS = 60 * 60_000;

async function guard(request: FastifyRequest, reply: FastifyReply) {
  if (request.site.kind !== 'portal') return sendError(reply, 404, 'NOT_FOUND', 'Realtime is served by portal addresses.');
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (Object.keys(query).some((key) => CREDENTIAL_PARAMS.test(key))) {
    return sendError(
      reply,
      400,
      'invalid_request',
      'Never put the access token in the URL: send it in the first message, {"type":"auth"}.',
    );
  }
}

/**
 * `GET /realtime` on every portal host: a WebSocket per signed-in client (see
 * packages/protocol/src/realtime.ts for the protocol). Pings keep sockets alive, and tokens are
 * checked again at each ping so that a revoked or expired one ends its connection.
 */
export default async function realtimeRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const connections = new Set<RealtimeConnection>();

  // Before @fastify/websocket's own preClose: clients learn it is a shutdown (1001), not an error.
  app.addHook('preClose', async () => {
    for (const connection of connections) connection.close(RealtimeCloseCode.goingAway, 'server shutting down');
  });
  // An upgrade request answered over HTTP instead (unknown host, refused) has left Node's HTTP
  // handling: nothing would close its socket. Drop it when the client ends it or stays silent past
  // the auth window; upgraded sockets are ws's (it clears the timeout) and are left alone.
  const upgraded = new WeakSet<object>();
  const limitUnupgraded = (_request: unknown, socket: Duplex) => {
    const drop = () => {
      if (!upgraded.has(socket)) socket.destroy();
    };
    (socket as Socket).setTimeout(ctx.limits.realtimeAuthTimeoutMs, drop);
    socket.once('end', drop);
  };
  app.server.on('upgrade', limitUnupgraded);
  await app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });

  const keepalive = setInterval(() => {
    for (const connection of connections) {
      connection.tick().catch((err: unknown) => app.log.error({ err }, 'realtime keepalive failed'));
    }
  }, ctx.limits.realtimePingIntervalMs);
  keepalive.unref();

  const prune = () =>
    pruneEventsBefore(ctx.db, ctx.now() - ctx.limits.realtimeKeepMs).catch((err: unknown) =>
      app.log.error({ err }, 'pruning realtime events failed'),
    );
  const pruner = setInterval(prune, PRUNE_INTERVAL_MS);
  pruner.unref();
  app.addHook('onReady', async () => {
    void prune();
  });

  const stopTasks = forwardTaskChanges(ctx, (err) => app.log.error({ err }, 'publishing a task change failed'));

  app.addHook('onClose', async () => {
    clearInterval(keepalive);
    app.server.off('upgrade', limitUnupgraded);
    clearInterval(pruner);
    stopTasks();
  });

  app.get(REALTIME_PATH, { websocket: true, preHandler: guard }, (socket, request) => {
    upgraded.add(request.raw.socket);
    if (request.site.kind !== 'portal') return;
    const connection = new RealtimeConnection(socket, ctx, request.site.portal, request.log, () => connections.delete(connection));
    connections.add(connection);
  });
}
