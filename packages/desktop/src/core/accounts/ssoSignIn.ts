import { randomBytes } from 'node:crypto';
import {
  DESKTOP_CLIENT_ID,
  SSO_DESKTOP_START_PATH,
  SsoDesktopError,
  type SsoFailureCode,
  type SsoStartRequest,
  type SsoStartResult,
} from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { type LoopbackCallback, listenOnLoopback } from '../portal/loopbackRedirect.ts';
import { ssoDiscover } from '../portal/networkClient.ts';
import { createPkce } from '../portal/pkce.ts';
import { normalizePortalAddress } from '../portal/portalAddress.ts';
import type { SettingsStore } from '../settings.ts';
import type { BrowserFailure, BrowserFinal, BrowserFlows } from './browserFlows.ts';
import type { SignIns } from './signIns.ts';

type Failure = BrowserFailure;

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

/**
 * "Log in with single sign-on": the portal's SSO start opens in the system browser, and the answer
 * comes back on a loopback redirect (RFC 8252) with our state, as a code bound to our PKCE
 * challenge. The verifier, the state and the code stay in this module; the UI holds an opaque flow
 * handle and learns the outcome by long poll. Nothing is stored unless the sign-in succeeds.
 */
export class SsoSignIns {
  readonly #signIns: SignIns;
  readonly #dispatcher: Dispatcher;
  readonly #settings: SettingsStore;
  readonly #deviceName: string;
  readonly #browser: BrowserFlows;

  constructor(options: {
    signIns: SignIns;
    dispatcher: Dispatcher;
    settings: SettingsStore;
    deviceName: string;
    browser: BrowserFlows;
  }) {
    this.#signIns = options.signIns;
    this.#dispatcher = options.dispatcher;
    this.#settings = options.settings;
    this.#deviceName = options.deviceName;
    this.#browser = options.browser;
  }

  async start({ address }: SsoStartRequest): Promise<SsoStartResult> {
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
    return this.#browser.begin({
      portal: target.portal,
      startUrl: start.href,
      listener,
      redeem: (callback) => this.#redeem(target, pkce.verifier, callback),
      browserHint: 'Set a default browser, or name one with --sso-browser.',
    });
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

  async #redeem(flow: { origin: string; portal: string }, verifier: string, callback: LoopbackCallback): Promise<BrowserFinal> {
    const code = callback.params.get('code');
    if (!code) {
      const failure = redirectFailure(callback.params.get('error'), cleanText(callback.params.get('error_description')), flow.portal);
      return { status: 'failed', ...failure };
    }
    try {
      const result = await this.#signIns.withCode(flow.origin, code, verifier, flow.portal, { login: '' });
      if (result.ok) return { status: 'account', account: result.account };
      const error: SsoFailureCode = result.error === 'not_a_member' || result.error === 'unreachable' ? result.error : 'server_error';
      return { status: 'failed', error, message: `${flow.portal} did not complete the sign-in: ${result.message}` };
    } catch (error) {
      return { status: 'failed', error: 'server_error', message: `The sign-in could not be completed: ${(error as Error).message}` };
    }
  }
}
