import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSnapshot, useStore } from './useBridge.ts';

/** A dropped socket usually comes back within a second: say so only when it does not. */
const LOST_NOTICE_DELAY_MS = 2000;

/**
 * Window-wide notices: the vault's warning, a lost connection to the core, and the first load.
 * Renders nothing when all is well.
 */
export function AppStatus({ vault = true }: { vault?: boolean }) {
  const store = useStore();
  const { t } = useTranslation();
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
          {state.vault.kind === 'file'
            ? t('vault.fileNotice')
            : state.vault.kind === 'memory'
              ? t('vault.memoryNotice')
              : state.vault.notice}
        </p>
      ) : null}
      {lost ? (
        <p className="banner banner-info" role="status">
          {t('app.lost')}
        </p>
      ) : null}
      {!state && stateError ? (
        <div className="banner banner-error" role="alert">
          <span>{t('app.loadFailed', { error: stateError })}</span>
          <button type="button" className="button" onClick={() => void store.loadState()}>
            {t('common.tryAgain')}
          </button>
        </div>
      ) : null}
      {!state && !stateError ? (
        <p className="banner banner-info" role="status">
          {t('app.loading')}
        </p>
      ) : null}
    </>
  );
}
