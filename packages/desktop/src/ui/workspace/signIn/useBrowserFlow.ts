import type { AccountView, SsoFailureCode, SsoStartResult } from '@multidesk/protocol/bridge';
import { useEffect, useEffectEvent, useState } from 'react';
import { call, errorMessage } from '../../bridgeClient.ts';
import type { SignInProblem } from '../signInMessages.ts';

export interface BrowserWaiting {
  flow: string;
  /** What the browser signs in to: a title, or an address. */
  portal: string;
  expiresAt: number;
}

interface Handlers {
  onAccount(account: AccountView): void;
  /** The browser's answer was a failure, or the core stopped waiting (timeout). */
  onFailure(problem: SignInProblem): void;
}

const problemOf = ({ error, message, detail }: { error: SsoFailureCode; message: string; detail?: string }): SignInProblem => ({
  code: error,
  text: message,
  ...(detail ? { detail } : {}),
});

/**
 * One sign-in finished in the system browser (single sign-on, a Bitrix24 app): started by `begin`,
 * then a long poll of the core until the browser's answer. Cancel, leaving the page or a new start
 * ends it at the core, whose loopback listener then closes.
 */
export function useBrowserFlow(handlers: Handlers) {
  const [waiting, setWaiting] = useState<BrowserWaiting | null>(null);
  const succeeded = useEffectEvent((account: AccountView) => handlers.onAccount(account));
  const failed = useEffectEvent((problem: SignInProblem) => handlers.onFailure(problem));
  const flow = waiting?.flow ?? null;

  useEffect(() => {
    if (!flow) return;
    const abort = new AbortController();
    let live = true;
    const poll = async () => {
      for (;;) {
        const answer = await call('ssoWait', { flow }, { signal: abort.signal });
        if (answer.status === 'pending') continue;
        live = false;
        setWaiting(null);
        if (answer.status === 'account') return succeeded(answer.account);
        return failed(problemOf(answer));
      }
    };
    poll().catch((err: unknown) => {
      if (abort.signal.aborted) return;
      setWaiting(null);
      failed({ code: 'server_error', text: errorMessage(err) });
    });
    return () => {
      abort.abort();
      if (live) void call('ssoCancel', { flow }).catch(() => {});
    };
  }, [flow]);

  /** Asks the core to open the browser; a failure to start comes back as a problem (throttled: for how long). */
  const begin = async (start: () => Promise<SsoStartResult>): Promise<(SignInProblem & { retryAfter?: number }) | null> => {
    try {
      const started = await start();
      if (!started.ok) return { ...problemOf(started), ...(started.retryAfter ? { retryAfter: started.retryAfter } : {}) };
      setWaiting({ flow: started.flow, portal: started.portal, expiresAt: started.expiresAt });
      return null;
    } catch (err) {
      return { code: 'server_error', text: errorMessage(err) };
    }
  };

  const reopen = async (): Promise<SignInProblem | null> => {
    if (!flow) return null;
    try {
      const answer = await call('ssoReopen', { flow });
      return answer.ok ? null : problemOf(answer);
    } catch (err) {
      return { code: 'server_error', text: errorMessage(err) };
    }
  };

  /** Stops waiting; the effect's cleanup tells the core. */
  const cancel = () => setWaiting(null);

  return { waiting, begin, reopen, cancel };
}
