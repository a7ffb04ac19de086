import type { AccountView, MyTasksView, TaskFilter, TasksView } from '@multidesk/protocol/bridge';
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorMessage } from '../../bridgeClient.ts';
import { useSnapshot } from '../../shared/useBridge.ts';

export interface Loaded<T> {
  /** The latest answer for the current query; kept while a refetch runs. */
  data: T | undefined;
  /** Why the last load failed (the bridge did not answer), while it did. */
  error: string | null;
  loading: boolean;
  /** The user asked to refresh: `load` is told so (the core then asks the portal, not its kept copy). */
  reload(): void;
  /** Changes the data shown in place (a change pushed by the core), without loading it again. */
  patch(update: (data: T) => T): void;
}

/** A list shown again is asked for again after this long even with no change reported: "Overdue" follows the clock. */
const SHOWN_AGAIN_MAX_AGE_MS = 60_000;

/**
 * Loads `load()` while `active` (its tab is the selected one): when `key` (the query) changes, when
 * the window gets the focus back, when the server reports a change (`version`), on `reload()`, and
 * when it becomes active unless what it shows is still current (see below). A late answer to an
 * older query is dropped, and the data of another query is never shown as this one's.
 */
export function useLoader<T>(
  key: string,
  active: boolean,
  load: (refresh: boolean) => Promise<T>,
  /** Changes when what `load` answers may have changed (a change the server reported). */
  version: number | string,
  /** The data is a saved copy (the portal could not be asked): showing it again asks again. */
  isSavedCopy: (data: T) => boolean = () => false,
): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const isSavedCopyRef = useRef(isSavedCopy);
  isSavedCopyRef.current = isSavedCopy;
  const activeRef = useRef(active);
  activeRef.current = active;
  const versionRef = useRef(version);
  versionRef.current = version;
  const keyRef = useRef(key);
  keyRef.current = key;
  /**
   * The current query's last answer (a late one for another query is dropped, see `run`): the
   * server's change count it was asked at, when, and whether it was a saved copy.
   */
  const answered = useRef<{ version: number | string; at: number; savedCopy: boolean } | null>(null);

  const run = useCallback(
    async (refresh = false, quiet = false) => {
      const mine = ++seq.current;
      const askedAt = { version: versionRef.current, at: Date.now() };
      // A quiet run checks data already shown (its tab shown again): nothing says it is busy, so
      // nothing re-renders unless the answer differs.
      if (!quiet) setLoading(true);
      try {
        const data = await loadRef.current(refresh);
        // Dropped when a newer run started, or when the query is another one now: back to a query
        // whose answer is still current, no run starts, and this late answer must not replace it.
        if (seq.current !== mine || keyRef.current !== key) return;
        answered.current = { ...askedAt, savedCopy: isSavedCopyRef.current(data) };
        // The same answer again (the tab shown again, the window focused) keeps the data shown as it
        // is: nothing below re-renders.
        setState((current) => (current?.key === key && sameJson(current.data, data) ? current : { key, data }));
        setError(null);
      } catch (err) {
        if (seq.current === mine && keyRef.current === key) {
          answered.current = null;
          setError(errorMessage(err));
        }
      } finally {
        if (seq.current === mine) setLoading(false);
      }
    },
    [key],
  );

  // A list with nothing to show yet loads at once. A tab shown again asks again, quietly and once
  // the frame that shows it is out (the switch paints first), only if what it shows may be out of
  // date: a change was reported while it was hidden, it is a saved copy, or it is a minute old.
  // Otherwise nothing runs: on a machine with two cores, the bridge call and the core's answer
  // competed with the raster of the frame the user waits for, at every switch.
  const shown = useRef(false);
  shown.current = state?.key === key;
  useEffect(() => {
    if (!active) return;
    if (!shown.current) {
      void run();
      return;
    }
    const last = answered.current;
    const current =
      last !== null && last.version === versionRef.current && !last.savedCopy && Date.now() - last.at < SHOWN_AGAIN_MAX_AGE_MS;
    if (current) return;
    const idle = requestIdleCallback(() => void run(false, true), { timeout: 300 });
    return () => cancelIdleCallback(idle);
  }, [active, run]);

  // A change pushed by the server (realtime) reloads a list that is showing.
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    if (activeRef.current) void run();
  }, [version, run]);

  useEffect(() => {
    const onFocus = () => {
      if (activeRef.current && document.visibilityState === 'visible') void run();
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [run]);

  const patch = useCallback(
    (update: (data: T) => T) => setState((current) => (current && current.key === key ? { key, data: update(current.data) } : current)),
    [key],
  );
  return { data: state?.key === key ? state.data : undefined, error, loading, reload: () => void run(true), patch };
}

/** Two answers of the bridge (plain JSON) are the same. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface TaskQuery {
  /** Tasks the user is responsible for, or every task the user can see. */
  mine: boolean;
  filter: Exclude<TaskFilter, 'all'>;
}

/**
 * What a task list depends on besides its tasks: the account's state and problem. A portal cut off
 * or back changes what the core answers (a saved copy, or the live list) with no task changed.
 */
function accountHealth(account: AccountView | undefined): string {
  return account ? `${account.state}/${account.problem?.code ?? ''}` : '';
}

export function useTaskList(accountId: string, query: TaskQuery, active: boolean): Loaded<TasksView> {
  const { taskVersions, state } = useSnapshot();
  const account = state?.accounts.find((a) => a.id === accountId);
  return useLoader(
    `${accountId}:${query.mine}:${query.filter}`,
    active,
    (refresh) => call('tasks', { id: accountId, mine: query.mine, filter: query.filter, ...(refresh ? { refresh } : {}) }),
    `${taskVersions.get(accountId) ?? 0}|${accountHealth(account)}`,
    (view) => view.stale,
  );
}

export function useMyTasks(active: boolean): Loaded<MyTasksView> {
  const { taskVersions, state } = useSnapshot();
  let changes = 0;
  for (const count of taskVersions.values()) changes += count;
  return useLoader(
    'my-tasks',
    active,
    (refresh) => call('myTasks', refresh ? { refresh } : {}),
    `${changes}|${state?.accounts.map(accountHealth).join(',') ?? ''}`,
    (view) => view.groups.some((group) => group.stale),
  );
}

/** The current time, ticking every half minute: "in 5 minutes" and "Overdue" stay true while a list is shown. */
export function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}
