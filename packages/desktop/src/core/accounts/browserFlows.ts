import { randomUUID } from 'node:crypto';
import type { FlowRef, SsoFailureCode, SsoReopenResult, SsoStartResult, SsoWaitResult } from '@multidesk/protocol';
import type { OpenUrl } from '../browser/systemBrowser.ts';
import type { LoopbackCallback, LoopbackListener } from '../portal/loopbackRedirect.ts';

/** How long the core waits for the browser: a sign-in there, maybe a second factor or a consent. */
export const BROWSER_TIMEOUT_MS = 5 * 60_000;

/** The longest a wait call holds before answering "pending". */
const WAIT_MS = 20_000;

export type BrowserFinal = Exclude<SsoWaitResult, { status: 'pending' }>;
export type BrowserFailure = { error: SsoFailureCode; message: string; detail?: string };

interface Flow {
  startUrl: string;
  expiresAt: number;
  /** Ends the wait for the browser early: timeout or cancel. */
  stop(failure: BrowserFailure): void;
  done: Promise<BrowserFinal>;
  final?: BrowserFinal;
  finishedAt?: number;
}

export interface BrowserFlowStart {
  /** What the browser signs in to, as the user knows it. */
  portal: string;
  /** Where the browser goes first. */
  startUrl: string;
  /** The loopback redirect the answer comes back to. */
  listener: LoopbackListener;
  /** Ends the sign-in with the browser's answer (a code to exchange, or an error). */
  redeem(callback: LoopbackCallback): Promise<BrowserFinal>;
  /** Said when no browser can be opened: which option names one. */
  browserHint: string;
}

function timedOut(ms: number): BrowserFailure {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return {
    error: 'timeout',
    message: `Nothing came back from the browser in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}, so Multidesk stopped waiting. Start again.`,
  };
}

/**
 * Every sign-in finished in the system browser (single sign-on, a Bitrix24 app's authorization):
 * the browser opens at the start URL, the answer comes back on a loopback redirect (RFC 8252),
 * and the UI holds only an opaque flow handle, learning the outcome by long poll. Codes, states
 * and secrets stay with the flow's `redeem`; nothing is stored unless the sign-in succeeds.
 */
export class BrowserFlows {
  readonly #flows = new Map<string, Flow>();
  readonly #openUrl: OpenUrl;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: { openUrl: OpenUrl; timeoutMs?: number; now?: () => number }) {
    this.#openUrl = options.openUrl;
    this.#timeoutMs = options.timeoutMs ?? BROWSER_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  async begin(start: BrowserFlowStart): Promise<SsoStartResult> {
    this.#sweep();
    try {
      await this.#openUrl(start.startUrl);
    } catch (error) {
      start.listener.close();
      return {
        ok: false,
        error: 'browser_failed',
        message: `Multidesk could not open a browser: ${(error as Error).message}. ${start.browserHint}`,
      };
    }
    const stopped = Promise.withResolvers<BrowserFailure>();
    const expiresAt = this.#now() + this.#timeoutMs;
    const timer = setTimeout(() => stopped.resolve(timedOut(this.#timeoutMs)), this.#timeoutMs).unref();
    const flow: Flow = {
      startUrl: start.startUrl,
      expiresAt,
      stop: stopped.resolve,
      done: this.#run(start, stopped.promise).then((final) => {
        clearTimeout(timer);
        flow.final = final;
        flow.finishedAt = this.#now();
        return final;
      }),
    };
    const handle = randomUUID();
    this.#flows.set(handle, flow);
    return { ok: true, flow: handle, portal: start.portal, expiresAt };
  }

  /** Waits for the browser, then ends the sign-in there and here; the browser's page tells the outcome. */
  async #run(start: BrowserFlowStart, stopped: Promise<BrowserFailure>): Promise<BrowserFinal> {
    const first = await Promise.race([start.listener.callback, stopped]);
    if (!('answer' in first)) {
      start.listener.close();
      return { status: 'failed', ...first };
    }
    let final: BrowserFinal;
    try {
      final = await start.redeem(first);
    } catch (error) {
      final = { status: 'failed', error: 'server_error', message: `The sign-in could not be completed: ${(error as Error).message}` };
    }
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
