import { useSnapshot, useStore } from './useBridge.ts';

/**
 * Window-wide notices: the vault's warning, a lost connection to the core, and the first load.
 * Renders nothing when all is well.
 */
export function AppStatus({ vault = true }: { vault?: boolean }) {
  const store = useStore();
  const { state, stateError, live } = useSnapshot();
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
      {live === 'closed' ? (
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
