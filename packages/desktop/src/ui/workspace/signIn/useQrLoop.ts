import type { AccountView, NetworkList, QrStartResult } from '@multidesk/protocol/bridge';
import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import { call, errorMessage } from '../../bridgeClient.ts';
import { t } from '../../i18n/i18n.ts';
import { type SignInProblem, secondsText, signInProblem } from '../signInMessages.ts';

/** Codes replace each other automatically for this long after the first one; then the user asks again. */
export const QR_SESSION_MS = 5 * 60_000;

export type QrState =
  | { phase: 'starting' }
  | { phase: 'showing'; qrImage: string; approveUrl: string; expiresAt: number; renewing: boolean }
  | { phase: 'expired' }
  | { phase: 'denied' }
  | { phase: 'error'; problem: SignInProblem };

interface Handlers {
  /** Approved at the network: the approver's Bitrix24s, under a network flow. */
  onList(list: NetworkList): void;
  /** Approved at a portal: the account is signed in. */
  onAccount(account: AccountView): void;
}

/**
 * A QR session: get a code, long-poll the core for its outcome, replace the code when it expires
 * (for five minutes), and stop at denied, an error, or an approval. Leaving (unmount, or another
 * `address`) aborts the poll and cancels the code at the core.
 */
export function useQrLoop(
  { address, site }: { address: string | undefined; site: 'portal' | 'network' },
  handlers: Handlers,
): { state: QrState; restart(): void } {
  const [state, setState] = useState<QrState>({ phase: 'starting' });
  const [round, setRound] = useState(0);
  const approved = useEffectEvent((outcome: { list: NetworkList } | { account: AccountView }) =>
    'list' in outcome ? handlers.onList(outcome.list) : handlers.onAccount(outcome.account),
  );

  useEffect(() => {
    void round; // each round (Get a new QR code) is a new session with its own five minutes
    const abort = new AbortController();
    const { signal } = abort;
    /** The code the core is waiting on, to cancel when this loop ends early. */
    let live: string | null = null;
    const cancel = () => {
      const flow = live;
      live = null;
      if (flow) void call('qrCancel', { flow }).catch(() => {});
    };

    const run = async () => {
      const began = Date.now();
      setState({ phase: 'starting' });
      for (;;) {
        const started = await call('qrStart', address ? { address } : {}, { signal });
        if (!started.ok) return setState({ phase: 'error', problem: startProblem(started, address, site) });
        live = started.flow;
        setState({
          phase: 'showing',
          qrImage: started.qrImage,
          approveUrl: started.approveUrl,
          expiresAt: started.expiresAt,
          renewing: false,
        });
        const answer = await waitForOutcome(started.flow, signal, (expiresAt) =>
          setState((s) => (s.phase === 'showing' ? { ...s, expiresAt } : s)),
        );
        if (answer.status === 'error') {
          cancel();
          return setState({ phase: 'error', problem: { code: 'server_error', text: t('qr.stopped', { message: answer.message }) } });
        }
        // The core has forgotten the code by now: nothing to cancel.
        live = null;
        if (answer.status === 'list') return approved({ list: answer.list });
        if (answer.status === 'account') return approved({ account: answer.account });
        if (answer.status === 'denied') return setState({ phase: 'denied' });
        if (Date.now() - began >= QR_SESSION_MS) return setState({ phase: 'expired' });
        setState((s) => (s.phase === 'showing' ? { ...s, renewing: true } : s));
      }
    };

    run().catch((err: unknown) => {
      if (signal.aborted) return;
      cancel();
      setState({ phase: 'error', problem: { code: 'server_error', text: errorMessage(err) } });
    });
    return () => {
      abort.abort();
      cancel();
    };
  }, [address, site, round]);

  const restart = useCallback(() => {
    setState({ phase: 'starting' });
    setRound((r) => r + 1);
  }, []);
  return { state, restart };
}

/** Why no code could be had. Without an address the core asked its remembered network, which its message names. */
function startProblem(
  failure: Extract<QrStartResult, { ok: false }>,
  address: string | undefined,
  site: 'portal' | 'network',
): SignInProblem {
  const { error: code, message } = failure;
  if (code === 'too_many_attempts') {
    return { code, text: t('qr.tooMany', { time: secondsText(failure.retryAfter ?? 60) }) };
  }
  if (!address && (code === 'unknown_address' || code === 'unreachable' || code === 'invalid_address') && message)
    return { code, text: message };
  return signInProblem(code, { address: address ?? 'the network', login: '', message, site });
}

type Outcome = Exclude<Awaited<ReturnType<typeof pollOnce>>, { status: 'pending' }>;

const pollOnce = (flow: string, signal: AbortSignal) => call('qrWait', { flow }, { signal });

/** Long-polls until the code's fate is known; each "still pending" brings its current expiry. */
async function waitForOutcome(flow: string, signal: AbortSignal, onPending: (expiresAt: number) => void): Promise<Outcome> {
  for (;;) {
    const answer = await pollOnce(flow, signal);
    if (answer.status !== 'pending') return answer;
    onPending(answer.expiresAt);
  }
}
