import type { AccountView, HomeView } from '@multidesk/protocol/bridge';
import type { HomeEntry } from './bridgeStore.ts';
import { formatTime } from './format.ts';
import { useStore } from './useBridge.ts';

/**
 * What is amiss with an account's home, in both windows: the home shown is the saved copy, or the
 * last load failed (with a way to try again). Renders nothing when all is well.
 */
export function HomeNotices({ account, entry }: { account: AccountView; entry: HomeEntry | undefined }) {
  const store = useStore();
  const home = entry && 'home' in entry ? entry.home : undefined;
  return (
    <>
      {home ? <StaleNotice home={home} /> : null}
      {entry?.status === 'error' ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>
            Could not load {account.portalTitle}: {entry.error}
          </span>
          <button type="button" className="button" onClick={() => void store.loadHome(account.id)}>
            Try again
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

/** "Showing saved <what> from <time>; <problem>": the portal could not be asked, so this is the last copy. */
export function SavedCopyNotice({ what, fetchedAt, problem }: { what: string; fetchedAt: number | null; problem?: string | undefined }) {
  const when = fetchedAt === null ? 'earlier' : formatTime(fetchedAt);
  return (
    <p className="notice notice-warning" role="status">
      Showing saved {what} from {when}
      {problem ? `; ${problem}` : ''}
    </p>
  );
}
