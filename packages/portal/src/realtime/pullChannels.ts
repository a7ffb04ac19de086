import {
  PULL_CHANNEL_TTL_SECONDS,
  PULL_LONG_POLLING_PATH,
  PULL_REVISION,
  PULL_REVISION_MOBILE,
  PULL_WEBSOCKET_PATH,
  type PullChannel,
  type PullConfig,
} from '@multidesk/protocol';
import {
  channelSignature,
  newChannelId,
  newPullKey,
  PULL_KEY_NAME,
  signChannel,
  signPullJwt,
  verifyPullJwt,
  verifySignedChannel,
} from '../auth/pullSigning.ts';
import { hashSecret } from '../auth/secrets.ts';
import { isoDateTime } from '../rest/envelope.ts';
import { findCurrentPullChannel, findPullChannel, insertPullChannel } from '../store/pullChannels.ts';
import type { Executor, Portal, PullChannelRow } from '../store/schema.ts';
import { serverKey } from '../store/serverKeys.ts';

/** A channel is handed out again while it has at least this long to live; closer to its end, a new one. */
const REUSE_MARGIN_MS = 60 * 60_000;
const TTL_MS = PULL_CHANNEL_TTL_SECONDS * 1000;

/** Who a connection listens for, once its channel (or JWT) checked out. */
export interface PullListener {
  portalId: number;
  memberId: number;
  /** An app's own channel: the user's events never go there. */
  application: boolean;
  /** The private channel's unsigned id: the `channel` of every message sent on it. */
  channelId: string;
  expiresAt: number;
}

export type ListenerCheck =
  | { ok: true; listener: PullListener }
  /** 4010 WRONG_CHANNEL_ID: not signed by us, malformed, or naming no channel of this portal. */
  | { ok: false; reason: 'wrong_channel' }
  /** A channel of ours that has expired: the client must fetch a new config. */
  | { ok: false; reason: 'expired' };

/**
 * The signed Pull channels of every portal of this server: a private channel per user and a
 * shared one per portal, 12 hours each, and the `pull.config.get` answer that names them. The
 * signing key lives in the database, so that every instance signs and checks alike.
 */
export class PullChannels {
  readonly #db: Executor;
  readonly #now: () => number;
  readonly #version: 4 | 5;
  readonly #configTimestamp: number;
  #key: Promise<string> | null = null;

  constructor(db: Executor, now: () => number, version: 4 | 5) {
    this.#db = db;
    this.#now = now;
    this.#version = version;
    this.#configTimestamp = Math.floor(now() / 1000);
  }

  get version(): 4 | 5 {
    return this.#version;
  }

  #signingKey(): Promise<string> {
    this.#key ??= serverKey(this.#db, PULL_KEY_NAME, newPullKey, this.#now()).catch((error: unknown) => {
      this.#key = null;
      throw error;
    });
    return this.#key;
  }

  async #channel(portalId: number, memberId: number | null, type: PullChannelRow['type']): Promise<PullChannelRow> {
    const now = this.#now();
    const current = await findCurrentPullChannel(this.#db, { portalId, memberId, type }, now + REUSE_MARGIN_MS);
    if (current) return current;
    const channelId = newChannelId();
    const row: PullChannelRow = {
      id_hash: hashSecret(channelId),
      portal_id: portalId,
      member_id: memberId,
      type,
      channel_id: channelId,
      public_id: newChannelId(),
      created_at: now,
      expires_at: now + TTL_MS,
    };
    await insertPullChannel(this.#db, row);
    return row;
  }

  /**
   * `pull.config.get`'s answer for a member, with URLs on the origin the client used; with
   * `application`, `pull.application.config.get`'s: channels of the app's own, which carry none
   * of the user's events.
   */
  async config(portal: Portal, memberId: number, origin: string, options: { application?: boolean } = {}): Promise<PullConfig> {
    const key = await this.#signingKey();
    const mine = await this.#channel(portal.id, memberId, options.application ? 'application' : 'private');
    const shared = await this.#channel(portal.id, null, 'shared');
    const secure = origin.startsWith('https:');
    const host = new URL(origin).host;
    const ws = (scheme: string) => `${scheme}://${host}${PULL_WEBSOCKET_PATH}`;
    const http = (scheme: string) => `${scheme}://${host}${PULL_LONG_POLLING_PATH}`;
    const describe = (row: PullChannelRow, id: string): PullChannel => ({
      id,
      start: isoDateTime(row.created_at),
      end: isoDateTime(row.expires_at),
      type: row.type,
    });
    const privateSigned = signChannel(key, `${mine.channel_id}:${mine.public_id}`);
    const sharedSigned = signChannel(key, shared.channel_id);
    const exp = Math.floor(Math.min(mine.expires_at, shared.expires_at) / 1000);
    const channels: PullConfig['channels'] = { shared: describe(shared, sharedSigned) };
    // Server version 5 issues no private channel: the JWT names it.
    if (this.#version < 5) channels.private = { ...describe(mine, privateSigned), public_id: signChannel(key, mine.public_id) };
    return {
      server: {
        version: this.#version,
        server_enabled: true,
        mode: 'personal',
        hostname: host,
        long_polling: http(secure ? 'https' : 'http'),
        long_pooling_secure: http('https'),
        websocket_enabled: true,
        websocket: ws(secure ? 'wss' : 'ws'),
        websocket_secure: ws('wss'),
        // Clients do not publish to channels here: no address to publish to.
        publish_enabled: false,
        publish: '',
        publish_secure: '',
        config_timestamp: this.#configTimestamp,
      },
      api: { revision_web: PULL_REVISION, revision_mobile: PULL_REVISION_MOBILE },
      channels,
      exp,
      // The caller's public channel, by user id: what others would address them by.
      publicChannels: {
        [String(memberId)]: {
          user_id: memberId,
          public_id: mine.public_id,
          signature: channelSignature(key, mine.public_id),
          start: isoDateTime(mine.created_at),
          end: isoDateTime(mine.expires_at),
        },
      },
      // With milliseconds: clients relate message times (extra.server_time_unix) to their own clock by it.
      serverTime: new Date(this.#now()).toISOString(),
      ...(this.#version >= 5
        ? {
            jwt: signPullJwt(key, {
              iss: host,
              iat: Math.floor(this.#now() / 1000),
              exp,
              sub: String(memberId),
              chan: `${sharedSigned},${privateSigned}`,
            }),
          }
        : {}),
    };
  }

  /**
   * The member a connection listens for: from `CHANNEL_ID` (`<private>:<public>.<sig>/<shared>.<sig>`,
   * any order) or, for server version 5, from `token` (the config's JWT).
   */
  async listener(portal: Portal, query: { CHANNEL_ID?: unknown; token?: unknown }): Promise<ListenerCheck> {
    const key = await this.#signingKey();
    let signed: string[];
    if (typeof query.token === 'string' && query.token !== '') {
      const claims = verifyPullJwt(key, query.token, Math.floor(this.#now() / 1000));
      if (!claims) return { ok: false, reason: 'wrong_channel' };
      signed = claims.chan.split(',');
    } else if (typeof query.CHANNEL_ID === 'string' && query.CHANNEL_ID.length <= 1000) {
      signed = query.CHANNEL_ID.split('/');
    } else {
      return { ok: false, reason: 'wrong_channel' };
    }
    let privateId: string | null = null;
    for (const part of signed) {
      const id = verifySignedChannel(key, part);
      if (id === null) return { ok: false, reason: 'wrong_channel' };
      if (id.includes(':')) privateId = id.slice(0, id.indexOf(':'));
    }
    if (privateId === null) return { ok: false, reason: 'wrong_channel' };
    const row = await findPullChannel(this.#db, hashSecret(privateId));
    if (!row || row.portal_id !== portal.id || row.member_id === null) return { ok: false, reason: 'wrong_channel' };
    if (row.expires_at <= this.#now()) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      listener: {
        portalId: row.portal_id,
        memberId: row.member_id,
        application: row.type === 'application',
        channelId: row.channel_id,
        expiresAt: row.expires_at,
      },
    };
  }
}
