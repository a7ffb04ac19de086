import { setImmediate } from 'node:timers/promises';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PULL_LONG_POLL_EXPIRES, PULL_LONG_POLLING_PATH, PULL_WEBSOCKET_PATH, PullCloseCode } from '@multidesk/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { ListenerCheck } from '../realtime/pullChannels.ts';
import { logEpoch, midOf, nginxFrame, seqOfMid } from '../realtime/pullMessages.ts';
import { PullSocket } from '../realtime/pullSocket.ts';
import { activeMemberIds } from '../store/members.ts';
import { deletePullChannelsExpiredBefore } from '../store/pullChannels.ts';
import type { StoredEvent } from '../store/realtimeEvents.ts';
import { pruneEventsBefore } from '../store/realtimeEvents.ts';
import type { Portal } from '../store/schema.ts';
import type { Site } from './context.ts';
import { sendError, serviceUnavailable } from './errors.ts';
import { QueryValue } from './requestSchemas.ts';
import webSocketUpgrade from './webSocketUpgrade.ts';

/** Clients send almost nothing (pong, mack, a JSON-RPC ping). */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
const PRUNE_INTERVAL_MS = 60 * 60_000;
/** Members whose sockets one keepalive read checks. */
const MEMBERS_PER_READ = 500;
/** The keepalive's groups of sockets: each is visited once an interval, one a tick. */
const KEEPALIVE_GROUPS = 30;
/** Sockets the keepalive pings before it lets other work run. */
const PINGS_PER_TURN = 250;

/**
 * What the push server's addresses take. Bad values are answered as Bitrix24's push server does
 * (close 4010, `Channel id is not correct.`, or a resume from now), so the schema only says what
 * the query parser can produce and never fails.
 */
const PullQuery = Type.Object({
  CHANNEL_ID: Type.Optional(QueryValue),
  token: Type.Optional(QueryValue),
  mid: Type.Optional(QueryValue),
  jsonRpc: Type.Optional(QueryValue),
});
type PullQuery = Static<typeof PullQuery>;

/**
 * Bitrix24's push server on every portal host (the addresses `pull.config.get` names):
 * `GET /bitrix/subws/` upgrades to a WebSocket, `GET /bitrix/sub/` is long polling. Both take
 * the signed channels (`CHANNEL_ID`, or `token` for server version 5) and resume after `mid`.
 */
export default async function pullRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  /**
   * The open sockets, in groups by member: the keepalive visits one group a tick, so an interval's
   * pings (and the pongs they bring back) are spread over it rather than sent all at once; a
   * member's sockets share a group, so that whether the member may still listen is read once.
   */
  const groups = Array.from({ length: KEEPALIVE_GROUPS }, () => new Set<PullSocket>());
  const groupOf = (socket: PullSocket) => groups[socket.listener.memberId % KEEPALIVE_GROUPS] as Set<PullSocket>;
  /** How each long poll held now ends early: answered with where its client stands. */
  const heldPolls = new Set<() => void>();
  const serverName = 'multidesk';

  // Clients learn it is a shutdown (1001), not an error, and reconnect (to another instance, or to
  // this one restarted) with their mid. Held long polls are answered now: closing waits for every
  // request in flight, and a poll would hold it for its whole hold time.
  app.addHook('preClose', async () => {
    for (const group of groups) for (const socket of group) socket.close(PullCloseCode.serverDie, 'server_restart');
    for (const finish of heldPolls) finish();
  });
  await app.register(webSocketUpgrade, { maxPayload: MAX_CLIENT_MESSAGE_BYTES });

  /** Runs `each` over a group's sockets, letting other work run between turns: a ping is a write. */
  const inTurns = async (group: Set<PullSocket>, each: (socket: PullSocket) => void) => {
    let done = 0;
    for (const socket of [...group]) {
      if (++done % PINGS_PER_TURN === 0) await setImmediate();
      each(socket);
    }
  };

  /**
   * Pings a group's sockets, and reads whether their members may still listen for all of them at
   * once: one read per portal and 500 members. A read per socket, all at the same moment, was a
   * burst of thousands every 30 s that queued every other request behind it.
   */
  const keepAlive = async (group: Set<PullSocket>) => {
    const listening = new Map<number, Map<number, PullSocket[]>>();
    await inTurns(group, (socket) => {
      if (!socket.heartbeat()) return;
      const { portalId, memberId } = socket.listener;
      const members = listening.get(portalId) ?? new Map<number, PullSocket[]>();
      listening.set(portalId, members);
      const held = members.get(memberId);
      if (held) held.push(socket);
      else members.set(memberId, [socket]);
    });
    for (const [portalId, members] of listening) {
      const ids = [...members.keys()];
      for (let from = 0; from < ids.length; from += MEMBERS_PER_READ) {
        const some = ids.slice(from, from + MEMBERS_PER_READ);
        const active = await activeMemberIds(ctx.db, portalId, some);
        for (const id of some) {
          if (active.has(id)) continue;
          for (const socket of members.get(id) ?? []) socket.close(PullCloseCode.wrongChannelId, 'not a member');
        }
      }
    }
  };
  /** The groups in turn, one a call: each timer below visits them its own way round. */
  const inRotation = () => {
    let tick = 0;
    return () => groups[tick++ % KEEPALIVE_GROUPS] as Set<PullSocket>;
  };
  const nextToKeep = inRotation();
  let keeping = false;
  const keepalive = setInterval(() => {
    const group = nextToKeep();
    // A keepalive still reading (a slow database) is not doubled: this group waits for its next turn.
    if (keeping || group.size === 0) return;
    keeping = true;
    keepAlive(group)
      .catch((err: unknown) => app.log.error({ err }, 'pull keepalive failed'))
      .finally(() => {
        keeping = false;
      });
  }, ctx.limits.realtimePingIntervalMs / KEEPALIVE_GROUPS);
  keepalive.unref();
  const nextToTextPing = inRotation();
  const textPings = setInterval(() => {
    inTurns(nextToTextPing(), (socket) => socket.textPing()).catch((err: unknown) => app.log.error({ err }, 'pull text pings failed'));
  }, ctx.limits.pullJsonRpcPingMs / KEEPALIVE_GROUPS);
  textPings.unref();

  const prune = () =>
    Promise.all([
      pruneEventsBefore(ctx.db, ctx.now() - ctx.limits.realtimeKeepMs),
      deletePullChannelsExpiredBefore(ctx.db, ctx.now() - 24 * 60 * 60_000),
    ]).catch((err: unknown) => app.log.error({ err }, 'pruning realtime events failed'));
  const pruner = setInterval(prune, PRUNE_INTERVAL_MS);
  pruner.unref();
  app.addHook('onReady', async () => {
    void prune();
  });
  app.addHook('onClose', async () => {
    clearInterval(keepalive);
    clearInterval(textPings);
    clearInterval(pruner);
  });

  async function check(site: Site, query: PullQuery): Promise<{ portal: Portal; check: ListenerCheck } | null> {
    if (site.kind !== 'portal') return null;
    return { portal: site.portal, check: await ctx.pullChannels.listener(site.portal, query) };
  }

  /**
   * Sockets each client address holds or is opening (behind a trusted balancer, the address it
   * names): past `pullSocketsPerIp` an upgrade is answered 429 before any work is done for it.
   */
  const socketsPerIp = new Map<string, number>();
  const limitPerIp = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.isUpgrade) return;
    const ip = request.ip;
    const held = socketsPerIp.get(ip) ?? 0;
    if (held >= ctx.limits.pullSocketsPerIp) {
      return sendError(reply, 429, 'TOO_MANY_CONNECTIONS', 'Too many Push & Pull connections from this address.', 10);
    }
    socketsPerIp.set(ip, held + 1);
    request.raw.socket.once('close', () => {
      const left = (socketsPerIp.get(ip) ?? 1) - 1;
      if (left > 0) socketsPerIp.set(ip, left);
      else socketsPerIp.delete(ip);
    });
  };

  /**
   * Closes a socket that was refused; one whose client never completes the close handshake is
   * cut after a second instead of the 30 ws waits, so refused sockets cannot pile up.
   */
  const refuse = (socket: WebSocket, code: number, reason: string) => {
    socket.close(code, reason);
    const cut = setTimeout(() => socket.terminate(), 1_000);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  };

  /**
   * The socket is accepted first and the channel checked after, so a refusal is a close code the
   * client understands (Bitrix24's push server: 4010, 3001, 1001), not an HTTP status. Only what
   * the socket needs is taken from the request: the socket outlives it by hours.
   */
  const forget = (socket: PullSocket) => groupOf(socket).delete(socket);
  const openSocket = async (socket: WebSocket, site: Site, query: PullQuery) => {
    // A socket still unconfirmed after `pullAuthTimeoutMs` (the database is slow) is closed as a
    // restart, and its client comes back later.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ctx.limits.pullAuthTimeoutMs);
    });
    const found = await Promise.race([check(site, query), late]).finally(() => clearTimeout(timer));
    if (found === 'late') return refuse(socket, PullCloseCode.serverDie, 'server_unavailable');
    if (!found) return refuse(socket, PullCloseCode.wrongChannelId, 'not a portal');
    const { portal, check: result } = found;
    const epoch = logEpoch(portal);
    if (!result.ok) {
      return refuse(socket, result.reason === 'expired' ? PullCloseCode.channelExpired : PullCloseCode.wrongChannelId, result.reason);
    }
    if (socket.readyState !== socket.OPEN) return;
    const pull = new PullSocket(
      socket,
      ctx,
      { listener: result.listener, jsonRpc: query.jsonRpc === 'true', afterSeq: seqOfMid(epoch, query.mid), epoch, serverName },
      app.log,
      forget,
    );
    groupOf(pull).add(pull);
  };

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(PULL_WEBSOCKET_PATH, { schema: { querystring: PullQuery }, onRequest: limitPerIp }, async (request, reply) => {
    if (!request.isUpgrade) return sendError(reply, 426, 'UPGRADE_REQUIRED', 'This address takes WebSocket connections only.');
    const { site, query } = request;
    app.acceptWebSocket(request, reply, (socket) => {
      openSocket(socket, site, query).catch((err: unknown) => {
        app.log.error({ err }, 'pull socket failed to open');
        socket.terminate();
      });
    });
    return reply;
  });

  typed.get(PULL_LONG_POLLING_PATH, { schema: { querystring: PullQuery } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'Last-Message-Id');
    const found = await check(request.site, request.query);
    if (!found) return sendError(reply, 404, 'NOT_FOUND', 'Push & Pull is served by portal addresses.');
    const { portal, check: result } = found;
    if (!result.ok && result.reason === 'wrong_channel') return reply.code(400).type('text/plain').send('Channel id is not correct.');
    const epoch = logEpoch(portal);
    const afterSeq = seqOfMid(epoch, request.query.mid);
    if (!result.ok) {
      const at = afterSeq ?? 0;
      const expire = {
        memberId: 0,
        seq: at,
        payload: JSON.stringify({ module_id: 'pull', command: 'channel_expire', params: { action: 'get_config' } }),
        createdAt: ctx.now(),
      };
      return reply
        .code(200)
        .type('text/plain')
        .send(nginxFrame([expire], epoch, '', serverName));
    }
    return longPoll(reply, { listener: result.listener, epoch, afterSeq });
  });

  /** Answers with what the member missed, or with the first events within the hold, or 304 with where it stands. */
  function longPoll(
    reply: FastifyReply,
    options: { listener: { memberId: number; channelId: string }; epoch: string; afterSeq: number | null },
  ): Promise<FastifyReply> {
    return new Promise((resolve) => {
      const received: StoredEvent[] = [];
      let done = false;
      let position = options.afterSeq ?? 0;
      let flush: NodeJS.Timeout | undefined;
      const { subscription, ready } = ctx.realtime.subscribe(
        options.listener.memberId,
        {
          deliver: (events) => {
            received.push(...events);
            // Events of one change come together: answer once they are all in.
            flush ??= setTimeout(finish, 20);
          },
        },
        options.afterSeq,
      );
      const hold = setTimeout(finish, ctx.limits.pullLongPollMs);
      // The response's close before it was sent: the client went away.
      const gone = () => finish();
      reply.raw.once('close', gone);
      heldPolls.add(finish);
      ready.then(
        ({ seq }) => {
          position = seq;
          if (received.length > 0) finish();
        },
        (err: unknown) => {
          // What was missed could not be read (the database is restarting): a 304 would bring the
          // client straight back, a 503 makes it back off and poll again with the same mid.
          reply.log.warn({ err }, 'long poll could not catch up');
          finish(true);
        },
      );
      function finish(unavailable = false) {
        if (done) return;
        done = true;
        heldPolls.delete(finish);
        clearTimeout(hold);
        clearTimeout(flush);
        reply.raw.off('close', gone);
        subscription.close();
        if (unavailable) {
          resolve(serviceUnavailable(reply));
          return;
        }
        if (received.length > 0) {
          resolve(
            reply
              .code(200)
              .type('text/plain')
              .send(nginxFrame(received, options.epoch, options.listener.channelId, serverName)),
          );
          return;
        }
        reply.header('last-message-id', midOf(options.epoch, position)).header('expires', PULL_LONG_POLL_EXPIRES);
        resolve(reply.code(304).send());
      }
    });
  }
}
