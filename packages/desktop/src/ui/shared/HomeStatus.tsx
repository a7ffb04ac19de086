import type { AccountView, HomeView, SavedCopyReason } from '@multidesk/protocol/bridge';
import { useTranslation } from 'react-i18next';
import type { HomeEntry } from './bridgeStore.ts';
import { formatTime } from './format.ts';
import { problemText } from './problemText.ts';
import { useStore } from './useBridge.ts';

/**
 * What is amiss with an account's home, in both windows: the home shown is the saved copy, or the
 * last load failed (with a way to try again). Renders nothing when all is well.
 */
export function HomeNotices({ account, entry }: { account: AccountView; entry: HomeEntry | undefined }) {
  const store = useStore();
  const { t } = useTranslation();
  const home = entry && 'home' in entry ? entry.home : undefined;
  return (
    <>
      {home ? <StaleNotice home={home} /> : null}
      {entry?.status === 'error' ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{t('home.loadFailed', { portal: account.portalTitle, error: entry.error })}</span>
          <button type="button" className="button" onClick={() => void store.loadHome(account.id)}>
            {t('common.tryAgain')}
          </button>
        </div>
      ) : null}
    </>
  );
}

/** Says when the home shown is the saved copy, and why. */
function StaleNotice({ home }: { home: HomeView }) {
  if (!home.stale) return null;
  return <SavedCopyNotice what="data" fetchedAt={home.fetchedAt} problem={home.problem} />;
}

/** "Showing saved <what> from <time>. <Problem>": the portal could not be asked, so this is the last copy. */
export function SavedCopyNotice({
  what,
  of,
  fetchedAt,
  problem,
}: {
  what: 'data' | 'tasks';
  /** Whose tasks (My tasks lists several accounts'): "Acme Corp (Anna)". */
  of?: string;
  fetchedAt: number | null;
  problem?: SavedCopyReason | undefined;
}) {
  const { t } = useTranslation();
  const time = fetchedAt === null ? null : formatTime(fetchedAt);
  let text: string;
  if (of !== undefined) text = time ? t('home.savedTasksOfFrom', { of, time }) : t('home.savedTasksOfEarlier', { of });
  else if (what === 'tasks') text = time ? t('home.savedTasksFrom', { time }) : t('home.savedTasksEarlier');
  else text = time ? t('home.savedDataFrom', { time }) : t('home.savedDataEarlier');
  return (
    <p className="notice notice-warning" role="status">
      {text}
      {problem ? `. ${problemText(problem)}` : ''}
    </p>
  );
}
