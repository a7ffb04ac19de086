import type { MyTasksView, TaskFilter, TasksView } from '@multidesk/protocol/bridge';
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

/**
 * Loads `load()` while `active` (its tab is the selected one): when it becomes active, when `key`
 * (the query) changes, when the window gets the focus back, when the server reports a change
 * (`version`), and on `reload()`. A late answer to an older query is dropped, and the data of another query is never shown as this one's.
 */
export function useLoader<T>(key: string, active: boolean, load: (refresh: boolean) => Promise<T>, version: number): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const activeRef = useRef(active);
  activeRef.current = active;

  const run = useCallback(
    async (refresh = false, quiet = false) => {
      const mine = ++seq.current;
      // A quiet run checks data already shown (its tab shown again): nothing says it is busy, so
      // nothing re-renders unless the answer differs.
      if (!quiet) setLoading(true);
      try {
        const data = await loadRef.current(refresh);
        if (seq.current !== mine) return;
        // The same answer again (the tab shown again, the window focused) keeps the data shown as it
        // is: nothing below re-renders.
        setState((current) => (current?.key === key && sameJson(current.data, data) ? current : { key, data }));
        setError(null);
      } catch (err) {
        if (seq.current === mine) setError(errorMessage(err));
      } finally {
        if (seq.current === mine) setLoading(false);
      }
    },
    [key],
  );

  // A tab shown again refreshes what it shows, quietly, once the frame that shows it is out: the
  // switch paints first. A list with nothing to show yet loads at once.
  const shown = useRef(false);
  shown.current = state?.key === key;
  useEffect(() => {
    if (!active) return;
    if (!shown.current) {
      void run();
      return;
    }
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

export function useTaskList(accountId: string, query: TaskQuery, active: boolean): Loaded<TasksView> {
  const version = useSnapshot().taskVersions.get(accountId) ?? 0;
  return useLoader(
    `${accountId}:${query.mine}:${query.filter}`,
    active,
    (refresh) => call('tasks', { id: accountId, mine: query.mine, filter: query.filter, ...(refresh ? { refresh } : {}) }),
    version,
  );
}

export function useMyTasks(active: boolean): Loaded<MyTasksView> {
  const { taskVersions } = useSnapshot();
  let version = 0;
  for (const count of taskVersions.values()) version += count;
  return useLoader('my-tasks', active, (refresh) => call('myTasks', refresh ? { refresh } : {}), version);
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
