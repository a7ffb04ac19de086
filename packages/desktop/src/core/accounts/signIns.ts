import type { SignInRequest, SignInResult } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { exchangeCode, passwordSignIn, type SignInOutcome } from '../portal/passwordSignIn.ts';
import { INVALID_PORTAL_ADDRESS, normalizePortalAddress } from '../portal/portalAddress.ts';
import { PortalUnreachableError } from '../portal/portalHttp.ts';
import type { AccountManager } from './accountManager.ts';
import { tokensFromResponse } from './credentials.ts';
import { checkWebhook } from './webhookSignIn.ts';

/**
 * The ways in that end on this computer: a password at a portal's address, an authorization code
 * another flow obtained (the network list, a QR approval, single sign-on), a pasted webhook. Each
 * checks its credential with the portal and hands the account to the manager.
 */
export class SignIns {
  readonly #manager: AccountManager;
  readonly #dispatcher: Dispatcher;
  readonly #deviceName: string;
  readonly #now: () => number;

  constructor(options: { manager: AccountManager; dispatcher: Dispatcher; deviceName: string; now?: () => number }) {
    this.#manager = options.manager;
    this.#dispatcher = options.dispatcher;
    this.#deviceName = options.deviceName;
    this.#now = options.now ?? Date.now;
  }

  async password(request: SignInRequest): Promise<SignInResult> {
    const address = normalizePortalAddress(request.address);
    if (!address.ok) return INVALID_PORTAL_ADDRESS;
    const outcome = await passwordSignIn(this.#dispatcher, address.origin, {
      login: request.login.trim(),
      password: request.password,
      otp: request.otp?.trim(),
      deviceName: this.#deviceName,
    });
    if (!outcome.ok) return outcome;
    return this.#adopt(address.origin, outcome, { login: request.login.trim() });
  }

  /** Connect with a webhook: the pasted URL is checked against its portal, then kept as the account's credential. */
  async webhook(url: string): Promise<SignInResult> {
    const checked = await checkWebhook(this.#dispatcher, url);
    return checked.ok ? this.#manager.add(checked.account) : checked;
  }

  /** Ends a sign-in that produced an authorization code elsewhere (network list, QR approval, single sign-on). */
  async withCode(
    origin: string,
    code: string,
    verifier: string,
    portalTitle: string,
    who: { login: string; userName?: string },
  ): Promise<SignInResult> {
    let outcome: SignInOutcome;
    try {
      outcome = await exchangeCode(this.#dispatcher, origin, code, verifier, portalTitle);
    } catch (error) {
      if (error instanceof PortalUnreachableError) return { ok: false, error: 'unreachable', message: `${origin} cannot be reached.` };
      throw error;
    }
    if (!outcome.ok) return outcome;
    return this.#adopt(origin, outcome, who);
  }

  #adopt(origin: string, outcome: Extract<SignInOutcome, { ok: true }>, who: { login: string; userName?: string }): Promise<SignInResult> {
    return this.#manager.add({
      origin,
      kind: 'sign-in',
      credential: tokensFromResponse(outcome.tokens, this.#now()),
      portalTitle: outcome.portalTitle,
      userId: outcome.tokens.user_id,
      login: who.login,
      userName: who.userName || who.login,
    });
  }
}
