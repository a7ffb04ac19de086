import { PULL_JSON_RPC_PING_MS, PULL_LONG_POLL_HOLD_MS } from '@multidesk/protocol';
import { QrWaiters } from '../auth/qrWaiters.ts';
import type { AttemptLimiter } from '../auth/rateLimiter.ts';
import { SecretHashes } from '../auth/secretHashes.ts';
import { RealtimeHub } from '../realtime/hub.ts';
import { PullChannels } from '../realtime/pullChannels.ts';
import type { CredentialRead } from '../rest/auth.ts';
import { memorySharedState, type SharedBucket, type SharedState } from '../shared/sharedState.ts';
import { type Db, databaseVersion } from '../store/database.ts';
import { ReadCache } from '../store/readCache.ts';
import type { Portal } from '../store/schema.ts';

export interface Limits {
  /** Failed sign-ins per login, and per IP, within `failureWindowMs`, before 429. */
  failuresPerLogin: number;
  failuresPerIp: number;
  /** Failed grants at the apps' token server per IP within `failureWindowMs`, before 429. */
  tokenFailuresPerIp: number;
  failureWindowMs: number;
  /** REST leaky bucket per user: burst and drain (Bitrix24: 50 and 2/s). An infinite burst turns it off. */
  restBurst: number;
  restDrainPerSecond: number;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  codeTtlMs: number;
  networkSessionTtlMs: number;
  webSessionTtlMs: number;
  /** QR sign-in requests one IP may create within `qrRequestWindowMs`, before 429. */
  qrRequestsPerIp: number;
  qrRequestWindowMs: number;
  /** Push & Pull sockets get a protocol ping at this interval; one that missed the last is dropped. */
  realtimePingIntervalMs: number;
  /** The server version `pull.config.get` announces: 4 (`#!NGINXNMS!#` framing) or 5 (JSON-RPC, JWT). */
  pullServerVersion: 4 | 5;
  /** Version 5: the text `ping` at this interval (the SDK reconnects after twice as long without one). */
  pullJsonRpcPingMs: number;
  /** Long polling: how long a request is held before 304. */
  pullLongPollMs: number;
  /** Realtime events kept per member for replay, and their longest age. */
  realtimeKeepEvents: number;
  realtimeKeepMs: number;
  /** Longest life of a portal or credential read kept in memory (`ReadCache`; any write ends it sooner); 0: none kept. */
  readCacheTtlMs: number;
  /** `/readyz`: how long each dependency (database, Redis) may take to answer before it counts as down. */
  readyCheckTimeoutMs: number;
  /** A request's headers (an upgrade's too) must be in within this, and the whole request within `requestTimeoutMs`: slow clients are cut with 408. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Push & Pull WebSockets one client address may hold open or be opening at once; more are answered 429. */
  pullSocketsPerIp: number;
  /** TCP connections one client address (not a trusted balancer) may hold open at once; more are closed when accepted. */
  connectionsPerIp: number;
  /** A Push & Pull WebSocket whose channel is not confirmed within this is closed (1001: the client tries again later). */
  pullAuthTimeoutMs: number;
}

export const defaultLimits: Limits = {
  failuresPerLogin: 5,
  failuresPerIp: 30,
  tokenFailuresPerIp: 60,
  failureWindowMs: 15 * 60_000,
  restBurst: 50,
  restDrainPerSecond: 2,
  accessTokenTtlMs: 60 * 60_000,
  refreshTokenTtlMs: 180 * 24 * 60 * 60_000,
  codeTtlMs: 60_000,
  networkSessionTtlMs: 10 * 60_000,
  webSessionTtlMs: 30 * 24 * 60 * 60_000,
  qrRequestsPerIp: 20,
  qrRequestWindowMs: 60_000,
  realtimePingIntervalMs: 30_000,
  pullServerVersion: 4,
  pullJsonRpcPingMs: PULL_JSON_RPC_PING_MS,
  pullLongPollMs: PULL_LONG_POLL_HOLD_MS,
  realtimeKeepEvents: 10_000,
  realtimeKeepMs: 7 * 24 * 60 * 60_000,
  readCacheTtlMs: 5_000,
  // Below a balancer's usual check timeout, so that the probe answers 503 rather than timing out.
  readyCheckTimeoutMs: 2_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // A whole office behind one NAT address keeps one socket per person and app.
  pullSocketsPerIp: 1_000,
  // That office's people, each with a Push & Pull socket and the app's or a browser's few HTTP connections.
  connectionsPerIp: 4_000,
  pullAuthTimeoutMs: 5_000,
};

/**
 * `--rest-limit BURST:DRAIN` (Bitrix24 cloud: `50:2`) or `off`. Returns null for anything else.
 */
export function parseRestLimit(text: string): Pick<Limits, 'restBurst' | 'restDrainPerSecond'> | null {
  if (text.trim().toLowerCase() === 'off') return { restBurst: Number.POSITIVE_INFINITY, restDrainPerSecond: 0 };
  const match = /^\s*(\d+):(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) return null;
  const restBurst = Number(match[1]);
  const restDrainPerSecond = Number(match[2]);
  return restBurst >= 1 && restDrainPerSecond > 0 ? { restBurst, restDrainPerSecond } : null;
}

/** Everything the routes share: one instance per running server. */
export interface PortalContext {
  db: Db;
  /** Host name of the network; portals live at `<name>.<baseDomain>`. */
  baseDomain: string;
  now: () => number;
  limits: Limits;
  /** What instances share: this process's memory, or Redis with `serve --redis` (its opener closes it). */
  shared: SharedState;
  loginFailures: AttemptLimiter;
  ipFailures: AttemptLimiter;
  /** Failed grants at the apps' token server (wrong secret, unknown code) per IP. */
  tokenFailures: AttemptLimiter;
  /** Per portal user, in `shared`; null when the REST limit is off (`serve --rest-limit off`, benchmarks). */
  restBucket: SharedBucket | null;
  /** QR requests created per IP (a sliding-window count, not failures). */
  qrCreations: AttemptLimiter;
  /** Long polls waiting for a QR decision, woken by approve or deny (on any instance, with Redis). */
  qrWaiters: QrWaiters;
  /** Live realtime connections of this server; events reach them through src/realtime/publish.ts. */
  realtime: RealtimeHub;
  /** The signed Pull channels and the `pull.config.get` answer. */
  pullChannels: PullChannels;
  /** Portals by host label, as the tenancy hook read them. */
  portalReads: ReadCache<Portal>;
  /** What REST credentials (access tokens, webhooks) authenticated as. */
  credentialReads: ReadCache<CredentialRead>;
  /** The hashes of REST credentials that were accepted lately (bearer tokens, webhook secrets). */
  secretHashes: SecretHashes;
}

export function createContext(
  db: Db,
  baseDomain: string,
  now: () => number,
  limits: Partial<Limits> = {},
  shared: SharedState = memorySharedState(),
): PortalContext {
  const all = { ...defaultLimits, ...limits };
  const version = databaseVersion(db);
  const realtime = new RealtimeHub(db, now, { keepMs: all.realtimeKeepMs });
  // Events other instances commit reach the sockets held here (a no-op without Redis).
  shared.onEvents((marks) => realtime.deliverUpTo(marks));
  // So do QR decisions taken on another instance: the polls waiting here answer at once.
  const qrWaiters = new QrWaiters();
  shared.onQrDecided((id) => qrWaiters.notify(id));
  return {
    db,
    baseDomain: baseDomain.toLowerCase(),
    now,
    limits: all,
    shared,
    loginFailures: shared.attemptLimiter('login', all.failuresPerLogin, all.failureWindowMs, now),
    ipFailures: shared.attemptLimiter('ip', all.failuresPerIp, all.failureWindowMs, now),
    tokenFailures: shared.attemptLimiter('token', all.tokenFailuresPerIp, all.failureWindowMs, now),
    restBucket: Number.isFinite(all.restBurst) ? shared.leakyBucket('rest', all.restBurst, all.restDrainPerSecond, now) : null,
    qrCreations: shared.attemptLimiter('qr-create', all.qrRequestsPerIp, all.qrRequestWindowMs, now),
    qrWaiters,
    realtime,
    pullChannels: new PullChannels(db, now, all.pullServerVersion),
    portalReads: new ReadCache(version, now, all.readCacheTtlMs, 1_000),
    credentialReads: new ReadCache(version, now, all.readCacheTtlMs),
    secretHashes: new SecretHashes(),
  };
}

/** Which site a request addresses: the network directory, or one portal. */
export type Site = { kind: 'network' } | { kind: 'portal'; portal: Portal };

declare module 'fastify' {
  interface FastifyInstance {
    ctx: PortalContext;
  }
  interface FastifyRequest {
    site: Site;
    /** `http://acme.localhost:8024`: how this client reaches the site it addressed. */
    origin: string;
  }
}
