import { randomBytes, randomUUID } from 'node:crypto';
import {
  DESKTOP_CLIENT_ID,
  type FlowRef,
  SSO_DESKTOP_START_PATH,
  SsoDesktopError,
  type SsoFailureCode,
  type SsoReopenResult,
  type SsoStartRequest,
  type SsoStartResult,
  type SsoWaitResult,
} from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import type { OpenUrl } from '../browser/systemBrowser.ts';
import { type LoopbackCallback, type LoopbackListener, listenOnLoopback } from '../portal/loopbackRedirect.ts';
import { ssoDiscover } from '../portal/networkClient.ts';
import { createPkce } from '../portal/pkce.ts';
import { normalizePortalAddress } from '../portal/portalAddress.ts';
import type { SettingsStore } from '../settings.ts';
import type { AccountManager } from './accountManager.ts';

/** How long the core waits for the browser: sign-in at the identity provider, maybe a second factor. */
export const SSO_TIMEOUT_MS = 5 * 60_000;

/** The longest a wait call holds before answering "pending". */
const WAIT_MS = 20_000;

type Final = Exclude<SsoWaitResult, { status: 'pending' }>;
type Failure = { error: SsoFailureCode; message: string; detail?: string };

interface SsoFlow {
  origin: string;
  /** The title when the network named the portal; else its address. */
  portal: string;
  verifier: string;
  startUrl: string;
  listener: LoopbackListener;
  expiresAt: number;
  timer: NodeJS.Timeout;
  /** Ends the wait for the browser early: timeout or cancel. */
  stop(failure: Failure): void;
  done: Promise<Final>;
  final?: Final;
  finishedAt?: number;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** Text from the browser's address bar, shown as words: printable, bounded. */
function cleanText(text: string | null): string | undefined {
  const clean = text
    ?.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .trim()
    .slice(0, 300);
  return clean || undefined;
}

/** What each error of the portal's loopback redirect means to the user; the portal's words, when any, as the detail. */
function redirectFailure(error: string | null, description: string | undefined, portal: string): Failure {
  const detail = description ? { detail: description } : {};
  switch (error) {
    case SsoDesktopError.accessDenied:
      return { error: 'access_denied', message: `The sign-in to ${portal} was cancelled or refused at the identity provider.`, ...detail };
    case SsoDesktopError.notAMember:
      // The portal's words name the account and whom to ask: they are the message.
      return { error: 'not_a_member', message: `No access to ${portal}. ${description ?? 'Ask an administrator for access.'}` };
    case SsoDesktopError.ssoNotConfigured:
      return { error: 'sso_not_configured', message: `Single sign-on is not set up for ${portal}. Sign in with your login and password.` };
    case SsoDesktopError.temporarilyUnavailable:
      return { error: 'unreachable', message: `The identity provider of ${portal} cannot be reached. Try again in a few minutes.` };
    case SsoDesktopError.invalidRequest:
      return { error: 'server_error', message: `${portal} refused the sign-in request.`, ...detail };
    default:
      return {
        error: 'server_error',
        message: `Single sign-on to ${portal} failed (${cleanText(error) ?? 'no reason given'}).`,
        ...detail,
      };
  }
}

function timedOut(ms: number): Failure {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return {
    error: 'timeout',
    message: `Nothing came back from the browser in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}, so Multidesk stopped waiting. Start again.`,
  };
}

/**
 * "Log in with single sign-on": the portal's SSO start opens in the system browser, and the answer
 * comes back on a loopback redirect (RFC 8252) with our state, as a code bound to our PKCE
 * challenge. The verifier, the state and the code stay in this module; the UI holds an opaque flow
 * handle and learns the outcome by long poll. Nothing is stored unless the sign-in succeeds.
 */
export class SsoSignIns {
  readonly #flows = new Map<string, SsoFlow>();
  readonly #manager: AccountManager;
  readonly #dispatcher: Dispatcher;
  readonly #settings: SettingsStore;
  readonly #deviceName: string;
  readonly #openUrl: OpenUrl;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: {
    manager: AccountManager;
    dispatcher: Dispatcher;
    settings: SettingsStore;
    deviceName: string;
    openUrl: OpenUrl;
    timeoutMs?: number;
    now?: () => number;
  }) {
    this.#manager = options.manager;
    this.#dispatcher = options.dispatcher;
    this.#settings = options.settings;
    this.#deviceName = options.deviceName;
    this.#openUrl = options.openUrl;
    this.#timeoutMs = options.timeoutMs ?? SSO_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  async start({ address }: SsoStartRequest): Promise<SsoStartResult> {
    this.#sweep();
    const target = address.includes('@') ? await this.#discover(address.trim()) : this.#fromAddress(address);
    if (!target.ok) return target;

    const pkce = createPkce();
    const state = randomBytes(32).toString('base64url');
    const listener = await listenOnLoopback(state);
    const start = new URL(SSO_DESKTOP_START_PATH, target.origin);
    start.search = new URLSearchParams({
      client_id: DESKTOP_CLIENT_ID,
      redirect_uri: listener.redirectUri,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      device_name: this.#deviceName,
    }).toString();
    try {
      await this.#openUrl(start.href);
    } catch (error) {
      listener.close();
      return {
        ok: false,
        error: 'browser_failed',
        message: `Multidesk could not open a browser: ${(error as Error).message}. Set a default browser, or name one with --sso-browser.`,
      };
    }

    const stopped = Promise.withResolvers<Failure>();
    const expiresAt = this.#now() + this.#timeoutMs;
    const base: Omit<SsoFlow, 'done'> = {
      origin: target.origin,
      portal: target.portal,
      verifier: pkce.verifier,
      startUrl: start.href,
      listener,
      expiresAt,
      timer: setTimeout(() => stopped.resolve(timedOut(this.#timeoutMs)), this.#timeoutMs).unref(),
      stop: stopped.resolve,
    };
    const flow: SsoFlow = {
      ...base,
      done: this.#run(base, stopped.promise).then((final) => {
        clearTimeout(base.timer);
        flow.final = final;
        flow.finishedAt = this.#now();
        return final;
      }),
    };
    const handle = randomUUID();
    this.#flows.set(handle, flow);
    return { ok: true, flow: handle, portal: target.portal, expiresAt };
  }

  #fromAddress(address: string): { ok: true; origin: string; portal: string } | ({ ok: false } & Failure) {
    const portal = normalizePortalAddress(address);
    if (!portal.ok)
      return { ok: false, error: 'invalid_address', message: 'Enter a Bitrix24 address like acme.bitrix24.com, or your work e-mail.' };
    return { ok: true, origin: portal.origin, portal: new URL(portal.origin).host };
  }

  /** A work e-mail: the network names the Bitrix24 whose single sign-on takes its domain. */
  async #discover(email: string): Promise<{ ok: true; origin: string; portal: string } | ({ ok: false; retryAfter?: number } & Failure)> {
    if (!EMAIL.test(email)) return { ok: false, error: 'invalid_address', message: 'Enter a work e-mail like name@example.com.' };
    const network = normalizePortalAddress(this.#settings.get().networkUrl);
    if (!network.ok) return { ok: false, error: 'invalid_address', message: 'Enter your Bitrix24 address: no network is set.' };
    const found = await ssoDiscover(this.#dispatcher, network.origin, email);
    if (!found.ok) {
      if (found.error === 'unknown_address' || found.error === 'unreachable' || found.error === 'too_many_attempts') {
        return {
          ok: false,
          error: found.error,
          message:
            found.error === 'too_many_attempts'
              ? `Too many look-ups. Try again in ${found.retryAfter ?? 60} seconds.`
              : `The Bitrix24 network at ${new URL(network.origin).host} cannot be reached to find your Bitrix24. Enter its address instead.`,
          ...(found.retryAfter ? { retryAfter: found.retryAfter } : {}),
        };
      }
      return { ok: false, error: 'server_error', message: found.message };
    }
    const domain = email.slice(email.lastIndexOf('@') + 1);
    const [only, ...more] = found.portals;
    if (!only)
      return {
        ok: false,
        error: 'no_sso_for_domain',
        message: `No Bitrix24 uses single sign-on for ${domain} addresses. Enter your Bitrix24 address.`,
      };
    if (more.length > 0) {
      const names = found.portals.map((p) => `${p.title} (${new URL(p.url).host})`).join(', ');
      return {
        ok: false,
        error: 'several_portals',
        message: `Several Bitrix24s use single sign-on for ${domain}: ${names}. Enter the address of yours.`,
      };
    }
    const origin = normalizePortalAddress(only.url);
    if (!origin.ok) return { ok: false, error: 'server_error', message: `The network named an address that is not valid: ${only.url}` };
    return { ok: true, origin: origin.origin, portal: only.title };
  }

  /** Waits for the browser, then ends the sign-in there and here; the browser's page tells the outcome. */
  async #run(flow: Omit<SsoFlow, 'done'>, stopped: Promise<Failure>): Promise<Final> {
    const first = await Promise.race([flow.listener.callback, stopped]);
    if (!('answer' in first)) {
      flow.listener.close();
      return { status: 'failed', ...first };
    }
    const final = await this.#redeem(flow, first);
    first.answer(
      final.status === 'account'
        ? {
            ok: true,
            title: `You are signed in to ${final.account.portalTitle}`,
            message: `${final.account.portalTitle} is open in Multidesk now.`,
          }
        : { ok: false, title: 'Sign-in failed', message: final.detail ? `${final.message} ${final.detail}` : final.message },
    );
    return final;
  }

  async #redeem(flow: Omit<SsoFlow, 'done'>, callback: LoopbackCallback): Promise<Final> {
    const code = callback.params.get('code');
    if (!code) {
      const failure = redirectFailure(callback.params.get('error'), cleanText(callback.params.get('error_description')), flow.portal);
      return { status: 'failed', ...failure };
    }
    try {
      const result = await this.#manager.signInWithCode(flow.origin, code, flow.verifier, flow.portal, { login: '' });
      if (result.ok) return { status: 'account', account: result.account };
      const error: SsoFailureCode = result.error === 'not_a_member' || result.error === 'unreachable' ? result.error : 'server_error';
      return { status: 'failed', error, message: `${flow.portal} did not complete the sign-in: ${result.message}` };
    } catch (error) {
      return { status: 'failed', error: 'server_error', message: `The sign-in could not be completed: ${(error as Error).message}` };
    }
  }

  async wait({ flow: handle }: FlowRef): Promise<SsoWaitResult> {
    this.#sweep();
    const flow = this.#flows.get(handle);
    if (!flow) return { status: 'failed', error: 'cancelled', message: 'This sign-in has ended. Start again.' };
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      flow.done,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    // The outcome stays for every poll that asks (an abandoned poll must not take it from the
    // page's current one) until the sweep.
    return answer ?? { status: 'pending', expiresAt: flow.expiresAt };
  }

  async reopen({ flow: handle }: FlowRef): Promise<SsoReopenResult> {
    const flow = this.#flows.get(handle);
    if (!flow || flow.final) return { ok: false, error: 'cancelled', message: 'This sign-in has ended. Start again.' };
    try {
      await this.#openUrl(flow.startUrl);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: 'browser_failed', message: `Multidesk could not open a browser: ${(error as Error).message}.` };
    }
  }

  /** Cancel in the UI: the listener closes at once, and a later redirect finds no one at that port. */
  cancel({ flow: handle }: FlowRef): { ok: true } {
    const flow = this.#flows.get(handle);
    if (flow) {
      this.#flows.delete(handle);
      flow.stop({ error: 'cancelled', message: 'You cancelled the sign-in.' });
    }
    return { ok: true };
  }

  /** Forgets outcomes nobody collected (the sign-in page went away). */
  #sweep(): void {
    const cutoff = this.#now() - 60_000;
    for (const [handle, flow] of this.#flows) if (flow.finishedAt !== undefined && flow.finishedAt < cutoff) this.#flows.delete(handle);
  }

  close(): void {
    for (const flow of this.#flows.values()) flow.stop({ error: 'cancelled', message: 'Multidesk is closing.' });
    this.#flows.clear();
  }
}
