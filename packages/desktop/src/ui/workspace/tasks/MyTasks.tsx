import type { TaskView } from '@multidesk/protocol/bridge';
import { memo, useCallback, useId, useMemo } from 'react';
import { SavedCopyNotice } from '../../shared/HomeStatus.tsx';
import { type TaskItem, TaskList } from './TaskList.tsx';
import { deadlineText, sortTasks } from './taskFormat.ts';
import { useMinuteClock, useMyTasks } from './useTasks.ts';

interface Props {
  /** Its tab is the selected one: it refetches then. */
  active: boolean;
  /** Accounts with no tab (disconnected), for the hint when nothing is open. */
  otherAccounts: number;
  onOpen(accountId: string, task: TaskView): void;
}

/**
 * Every connected account's open tasks in one list, marked by account, overdue first then by
 * deadline. An account whose portal could not be asked shows its saved tasks, marked stale.
 * Memoized, with its rows kept while the list does not change: a tab switch does not rebuild it.
 */
export const MyTasks = memo(function MyTasks({ active, otherAccounts, onOpen }: Props) {
  const id = useId();
  const { data, error, loading, reload } = useMyTasks(active);
  const now = useMinuteClock();
  const groups = data?.groups ?? [];
  const items = useMemo(
    (): TaskItem[] =>
      sortTasks(
        (data?.groups ?? []).flatMap((group) =>
          group.tasks.map(
            (task): TaskItem => ({
              key: `${group.accountId}:${task.id}`,
              task,
              account: {
                accountId: group.accountId,
                portalTitle: group.portalTitle,
                userName: group.userName,
                stale: group.stale,
                problem: group.problem,
              },
            }),
          ),
        ),
        'deadline',
        (item) => item.task,
      ),
    [data],
  );
  const openItem = useCallback(
    (item: TaskItem) => {
      if (item.account) onOpen(item.account.accountId, item.task);
    },
    [onOpen],
  );
  const overdue = items.filter((item) => deadlineText(item.task, now)?.overdue).length;

  return (
    <div className="panel-body">
      <header className="panel-header">
        <h1 id={`${id}-title`} className="panel-title">
          My tasks
        </h1>
        <span className="muted">Open tasks you are responsible for, in every connected Bitrix24</span>
        <button type="button" className="button button-small panel-header-action" onClick={reload} disabled={loading}>
          {loading ? <span className="spinner" aria-hidden="true" /> : null}
          Refresh
        </button>
      </header>

      {error ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>Could not load My tasks: {error}</span>
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : null}
      {groups
        .filter((g) => g.stale)
        .map((g) => (
          <SavedCopyNotice
            key={g.accountId}
            what={`tasks of ${g.portalTitle} (${g.userName})`}
            fetchedAt={g.fetchedAt ?? null}
            problem={g.problem}
          />
        ))}

      {data === undefined ? (
        error ? null : (
          <p className="muted" role="status">
            Loading your tasks…
          </p>
        )
      ) : groups.length === 0 ? (
        <div className="empty">
          <p className="empty-title">No Bitrix24 open</p>
          <p className="muted">
            Add one with <strong>+</strong> (Ctrl+T).
            {otherAccounts > 0 ? ' Disconnected accounts are in the Messenger window’s account list.' : ''}
          </p>
        </div>
      ) : (
        <section className="section tasks-section" aria-labelledby={`${id}-list`}>
          <div className="section-head">
            <h2 id={`${id}-list`} className="section-title">
              Open tasks
            </h2>
            <span className="muted" role="status">
              {items.length} open{overdue > 0 ? `, ${overdue} overdue` : ''} in {groups.length}{' '}
              {groups.length === 1 ? 'account' : 'accounts'}
            </span>
          </div>
          {items.length === 0 ? (
            <p className="task-empty muted">No open tasks. Nothing is waiting for you.</p>
          ) : (
            <TaskList items={items} labelledBy={`${id}-list`} now={now} busy={loading} person="creator" onOpen={openItem} />
          )}
        </section>
      )}
    </div>
  );
});
