import type { TaskView } from '@multidesk/protocol/bridge';
import { memo, useCallback, useId, useMemo } from 'react';
import { Trans, useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();

  return (
    <div className="panel-body">
      <header className="panel-header">
        <h1 id={`${id}-title`} className="panel-title">
          {t('myTasks.title')}
        </h1>
        <span className="muted">{t('myTasks.intro')}</span>
        <button type="button" className="button button-small panel-header-action" onClick={reload} disabled={loading}>
          {loading ? <span className="spinner" aria-hidden="true" /> : null}
          {t('myTasks.refresh')}
        </button>
      </header>

      {error ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{t('myTasks.loadFailed', { error })}</span>
          <button type="button" className="button" onClick={reload}>
            {t('common.tryAgain')}
          </button>
        </div>
      ) : null}
      {groups
        .filter((g) => g.stale)
        .map((g) => (
          <SavedCopyNotice
            key={g.accountId}
            what="tasks"
            of={`${g.portalTitle} (${g.userName})`}
            fetchedAt={g.fetchedAt ?? null}
            problem={g.problem}
          />
        ))}

      {data === undefined ? (
        error ? null : (
          <p className="muted" role="status">
            {t('myTasks.loading')}
          </p>
        )
      ) : groups.length === 0 ? (
        <div className="empty">
          <p className="empty-title">{t('myTasks.noneOpen')}</p>
          <p className="muted">
            <Trans i18nKey="myTasks.addHint" components={{ plus: <strong /> }} />
            {otherAccounts > 0 ? ` ${t('myTasks.disconnectedHint')}` : ''}
          </p>
        </div>
      ) : (
        <section className="section tasks-section" aria-labelledby={`${id}-list`}>
          <div className="section-head">
            <h2 id={`${id}-list`} className="section-title">
              {t('myTasks.openTasks')}
            </h2>
            <span className="muted" role="status">
              {t('myTasks.summaryOpen', { count: items.length })}
              {overdue > 0 ? `, ${t('myTasks.summaryOverdue', { count: overdue })}` : ''} {t('myTasks.summaryIn', { count: groups.length })}
            </span>
          </div>
          {items.length === 0 ? (
            <p className="task-empty muted">{t('myTasks.empty')}</p>
          ) : (
            <TaskList items={items} labelledBy={`${id}-list`} now={now} busy={loading} person="creator" onOpen={openItem} />
          )}
        </section>
      )}
    </div>
  );
});
