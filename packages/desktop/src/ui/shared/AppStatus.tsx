import { useEffect, useState } from 'react';
import { useSnapshot, useStore } from './useBridge.ts';

/** A dropped socket usually comes back within a second: say so only when it does not. */
const LOST_NOTICE_DELAY_MS = 2000;

/**
 * Window-wide notices: the vault's warning, a lost connection to the core, and the first load.
 * Renders nothing when all is well.
 */
export function AppStatus({ vault = true }: { vault?: boolean }) {
  const store = useStore();
  const { state, stateError, live } = useSnapshot();
  const [lost, setLost] = useState(false);
  useEffect(() => {
    if (live !== 'closed') return setLost(false);
    const timer = window.setTimeout(() => setLost(true), LOST_NOTICE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [live]);
  return (
    <>
      {vault && state?.vault.notice ? (
        <p className="banner banner-warning" role="status">
          <span className="banner-icon" aria-hidden="true">
            !
          </span>
          {state.vault.notice}
        </p>
      ) : null}
      {lost ? (
        <p className="banner banner-info" role="status">
          Lost the connection to Multidesk. Reconnecting…
        </p>
      ) : null}
      {!state && stateError ? (
        <div className="banner banner-error" role="alert">
          <span>Could not load your accounts: {stateError}</span>
          <button type="button" className="button" onClick={() => void store.loadState()}>
            Try again
          </button>
        </div>
      ) : null}
      {!state && !stateError ? (
        <p className="banner banner-info" role="status">
          Loading your accounts…
        </p>
      ) : null}
    </>
  );
}
