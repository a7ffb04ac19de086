import { randomUUID } from 'node:crypto';
import type {
  FlowRef,
  NetworkList,
  NetworkOpenRequest,
  NetworkPortal,
  NetworkSignInRequest,
  NetworkSignInResult,
  QrStartRequest,
  QrStartResult,
  QrWaitResult,
  SignInResult,
} from '@multidesk/protocol';
import QRCode from 'qrcode';
import type { Dispatcher } from 'undici';
import { networkAuthorize, networkLogin, networkLogout, qrCreate, qrPoll } from '../portal/networkClient.ts';
import { createPkce } from '../portal/pkce.ts';
import { INVALID_NETWORK_ADDRESS, INVALID_PORTAL_ADDRESS, normalizePortalAddress } from '../portal/portalAddress.ts';
import type { SettingsStore } from '../settings.ts';
import type { AccountManager } from './accountManager.ts';
import type { SignIns } from './signIns.ts';

interface NetworkFlow {
  kind: 'network';
  origin: string;
  session: string;
  login: string;
  portals: NetworkPortal[];
  expiresAt: number;
}

interface QrFlow {
  kind: 'qr';
  siteOrigin: string;
  id: string;
  pollToken: string;
  verifier: string;
  expiresAt: number;
  abort: AbortController;
}

export interface DeviceInfo {
  name: string;
  os: string;
  appVersion: string;
}

/**
 * Seconds each long poll of the portal may wait; the bridge call answers within it. Below the
 * portal agent's 15 s response-headers timeout, so a quiet poll is never mistaken for a dead portal.
 */
const QR_POLL_SECONDS = 10;

const invalidSession = {
  ok: false as const,
  error: 'invalid_session' as const,
  message: 'The sign-in at the network has expired. Sign in again.',
};

/**
 * Sign-ins that take more than one step: a network login's list of Bitrix24s, and a QR code waiting
 * for approval. The network session and the QR poll token stay here; the sign-in page holds only
 * an opaque flow handle, and Change user ends that page's flow alone.
 */
export class SignInFlows {
  readonly #flows = new Map<string, NetworkFlow | QrFlow>();
  readonly #manager: AccountManager;
  readonly #signIns: SignIns;
  readonly #dispatcher: Dispatcher;
  readonly #settings: SettingsStore;
  readonly #device: DeviceInfo;
  readonly #now: () => number;

  constructor(options: {
    manager: AccountManager;
    signIns: SignIns;
    dispatcher: Dispatcher;
    settings: SettingsStore;
    device: DeviceInfo;
    now?: () => number;
  }) {
    this.#manager = options.manager;
    this.#signIns = options.signIns;
    this.#dispatcher = options.dispatcher;
    this.#settings = options.settings;
    this.#device = options.device;
    this.#now = options.now ?? Date.now;
  }

  async networkSignIn(request: NetworkSignInRequest): Promise<NetworkSignInResult> {
    const network = normalizePortalAddress(request.networkUrl);
    if (!network.ok) return INVALID_NETWORK_ADDRESS;
    const outcome = await networkLogin(this.#dispatcher, network.origin, {
      login: request.login.trim(),
      password: request.password,
      otp: request.otp?.trim(),
    });
    if (!outcome.ok) return outcome;
    if (this.#settings.get().networkUrl !== network.origin)
      await this.#settings.update({ ...this.#settings.get(), networkUrl: network.origin });
    return this.#listFlow(network.origin, outcome.session, outcome.expiresIn, outcome.portals, request.login.trim());
  }

  #listFlow(origin: string, session: string, expiresIn: number, portals: NetworkPortal[], login: string): NetworkList {
    this.#sweep();
    const flow = randomUUID();
    this.#flows.set(flow, { kind: 'network', origin, session, login, portals, expiresAt: this.#now() + expiresIn * 1000 });
    return {
      ok: true,
      flow,
      login,
      portals: portals.map((p) => ({
        title: p.title,
        url: p.url,
        userName: p.user_name,
        connected: this.#manager.isConnected(normalizePortalAddress(p.url).ok ? new URL(p.url).origin : p.url, {
          login,
          userName: p.user_name,
        }),
      })),
    };
  }

  async open({ flow: handle, portalUrl }: NetworkOpenRequest): Promise<SignInResult> {
    const flow = this.#live(handle);
    if (flow?.kind !== 'network') return invalidSession;
    const portal = flow.portals.find((p) => p.url === portalUrl);
    if (!portal) return { ok: false, error: 'not_a_member', message: 'That Bitrix24 is not on this list.' };
    const pkce = createPkce();
    const grant = await networkAuthorize(this.#dispatcher, flow.origin, {
      session: flow.session,
      portalUrl,
      codeChallenge: pkce.challenge,
      deviceName: this.#device.name,
    });
    if (!grant.ok) {
      if (grant.error === 'invalid_session') this.#flows.delete(handle);
      return grant;
    }
    return this.#signIns.withCode(new URL(grant.portalUrl).origin, grant.code, pkce.verifier, portal.title, {
      login: flow.login,
      userName: portal.user_name,
    });
  }

  /** Change user: ends this page's network session at the server and here; accounts are untouched. */
  async end({ flow: handle }: FlowRef): Promise<{ ok: true }> {
    const flow = this.#flows.get(handle);
    this.#flows.delete(handle);
    if (flow?.kind === 'network') await networkLogout(this.#dispatcher, flow.origin, flow.session);
    if (flow?.kind === 'qr') flow.abort.abort();
    return { ok: true };
  }

  async qrStart({ address }: QrStartRequest): Promise<QrStartResult> {
    const target = address?.trim() ? normalizePortalAddress(address) : normalizePortalAddress(this.#settings.get().networkUrl);
    if (!target.ok) return INVALID_PORTAL_ADDRESS;
    const pkce = createPkce();
    const created = await qrCreate(this.#dispatcher, target.origin, {
      codeChallenge: pkce.challenge,
      deviceName: this.#device.name,
      deviceOs: this.#device.os,
      appVersion: this.#device.appVersion,
    });
    if (!created.ok) return created;
    this.#sweep();
    const flow = randomUUID();
    const expiresAt = this.#now() + created.expires_in * 1000;
    this.#flows.set(flow, {
      kind: 'qr',
      siteOrigin: target.origin,
      id: created.id,
      pollToken: created.poll_token,
      verifier: pkce.verifier,
      expiresAt,
      abort: new AbortController(),
    });
    const qrImage = await QRCode.toDataURL(created.approve_url, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    return { ok: true, flow, qrImage, approveUrl: created.approve_url, expiresAt };
  }

  async qrWait({ flow: handle }: FlowRef): Promise<QrWaitResult> {
    const flow = this.#flows.get(handle);
    if (flow?.kind !== 'qr') return { status: 'expired' };
    const answer = await qrPoll(this.#dispatcher, flow.siteOrigin, {
      id: flow.id,
      pollToken: flow.pollToken,
      waitSeconds: QR_POLL_SECONDS,
      signal: flow.abort.signal,
    });
    switch (answer.status) {
      case 'pending':
        return { status: 'pending', expiresAt: this.#now() + answer.expires_in * 1000 };
      case 'denied':
      case 'expired':
        this.#flows.delete(handle);
        return { status: answer.status };
      case 'error':
        return { status: 'error', message: answer.message };
      case 'approved': {
        this.#flows.delete(handle);
        if ('session' in answer) {
          return {
            status: 'list',
            list: this.#listFlow(flow.siteOrigin, answer.session, answer.expires_in, answer.portals, answer.login ?? ''),
          };
        }
        const result = await this.#signIns.withCode(flow.siteOrigin, answer.code, flow.verifier, answer.portal_title, { login: '' });
        return result.ok ? { status: 'account', account: result.account } : { status: 'error', message: result.message };
      }
    }
  }

  qrCancel({ flow: handle }: FlowRef): { ok: true } {
    const flow = this.#flows.get(handle);
    if (flow?.kind === 'qr') {
      flow.abort.abort();
      this.#flows.delete(handle);
    }
    return { ok: true };
  }

  #live(handle: string): NetworkFlow | QrFlow | undefined {
    this.#sweep();
    return this.#flows.get(handle);
  }

  /** Forgets flows well past their expiry, so that abandoned sign-in pages leave nothing behind. */
  #sweep(): void {
    const cutoff = this.#now() - 60_000;
    for (const [handle, flow] of this.#flows) {
      if (flow.expiresAt < cutoff) {
        if (flow.kind === 'qr') flow.abort.abort();
        this.#flows.delete(handle);
      }
    }
  }

  close(): void {
    for (const flow of this.#flows.values()) if (flow.kind === 'qr') flow.abort.abort();
    this.#flows.clear();
  }
}
