import { useEffect, useState } from 'react';
import { call } from '../bridgeClient.ts';

/** True while the window is shown and has the keyboard focus. */
function useWindowFocused(): boolean {
  const [focused, setFocused] = useState(() => document.hasFocus() && document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setFocused(document.hasFocus() && document.visibilityState === 'visible');
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  return focused;
}

/**
 * Tells the core which chat the user is looking at (the chosen account's open chat, while this
 * window has the focus): a message there needs no system notification, every other one does.
 */
export function useReportViewing(accountId: string | null, dialogId: string | null): void {
  const focused = useWindowFocused();
  useEffect(() => {
    const viewing = focused && accountId ? { id: accountId, ...(dialogId ? { dialogId } : {}) } : null;
    void call('viewing', { viewing }).catch(() => undefined);
  }, [focused, accountId, dialogId]);
}
