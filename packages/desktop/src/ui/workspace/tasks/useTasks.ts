import type { MyTasksView, TaskFilter, TasksView } from '@multidesk/protocol/bridge';
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorMessage } from '../../bridgeClient.ts';

export interface Loaded<T> {
  /** The latest answer for the current query; kept while a refetch runs. */
  data: T | undefined;
  /** Why the last load failed (the bridge did not answer), while it did. */
  error: string | null;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` while `active` (its tab is the selected one): when it becomes active, when `key`
 * (the query) changes, when the window gets the focus back, and on `reload()`. Live updates from
 * the portals come with realtime; until then this is how a list stays fresh. A late answer to an
 * older query is dropped, and the data of another query is never shown as this one's.
 */
function useLoader<T>(key: string, active: boolean, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const activeRef = useRef(active);
  activeRef.current = active;

  const run = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const data = await loadRef.current();
      if (seq.current !== mine) return;
      setState({ key, data });
      setError(null);
    } catch (err) {
      if (seq.current === mine) setError(errorMessage(err));
    } finally {
      if (seq.current === mine) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    if (active) void run();
  }, [active, run]);

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

  return { data: state?.key === key ? state.data : undefined, error, loading, reload: () => void run() };
}

export interface TaskQuery {
  /** Tasks the user is responsible for, or every task the user can see. */
  mine: boolean;
  filter: Exclude<TaskFilter, 'all'>;
}

export function useTaskList(accountId: string, query: TaskQuery, active: boolean): Loaded<TasksView> {
  return useLoader(`${accountId}:${query.mine}:${query.filter}`, active, () =>
    call('tasks', { id: accountId, mine: query.mine, filter: query.filter }),
  );
}

export function useMyTasks(active: boolean): Loaded<MyTasksView> {
  return useLoader('my-tasks', active, () => call('myTasks', {}));
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
