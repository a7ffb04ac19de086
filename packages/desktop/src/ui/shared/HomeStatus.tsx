import type { HomeView } from '@multidesk/protocol/bridge';
import { formatTime } from './format.ts';

/** Says when the home shown is the saved copy, and why. */
export function StaleNotice({ home }: { home: HomeView }) {
  if (!home.stale) return null;
  const when = home.fetchedAt === null ? 'earlier' : formatTime(home.fetchedAt);
  return (
    <p className="notice notice-warning" role="status">
      Showing saved data from {when}
      {home.problem ? `; ${home.problem}` : ''}
    </p>
  );
}
