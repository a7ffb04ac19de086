import type { AccountView, HomeView } from '@multidesk/protocol/bridge';
import { type ChangeEvent, memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SavedCopyNotice } from '../../shared/HomeStatus.tsx';
import { Segmented } from './Segmented.tsx';
import { TaskDialog, type TaskDialogTarget } from './TaskDialog.tsx';
import { type TaskItem, TaskList } from './TaskList.tsx';
import { sortTasks, type TaskSort } from './taskFormat.ts';
import { type TaskQuery, useMinuteClock, useTaskList } from './useTasks.ts';

/** A request from outside (My tasks) to open one of this account's tasks; `seq` tells repeats apart. */
export interface OpenTaskRequest {
  seq: number;
  target: TaskDialogTarget;
}

interface Props {
  account: AccountView;
  home: HomeView | undefined;
  /** This account's tab is the selected one. */
  active: boolean;
  openRequest?: OpenTaskRequest | undefined;
}

/**
 * The account's tasks: mine or all, by state, soonest deadline first; a row opens the task, New task a
 * form. Its rows are kept (memoized items and handlers) while neither the list nor the order changes.
 */
export const TasksSection = memo(function TasksSection({ account, home, active, openRequest }: Props) {
  const id = useId();
  const { t } = useTranslation();
  // Made once per language: a switch of tabs renders this section in the tab it leaves and the one
  // it shows, and its i18next lookups were a quarter of that render.
  const { whose, filters, sorts, empty, labels } = useMemo(
    () => ({
      labels: {
        title: t('tasks.title'),
        add: t('tasks.new'),
        whose: t('tasks.whose'),
        show: t('tasks.show'),
        order: t('tasks.order'),
        loading: t('tasks.loading'),
      },
      whose: [
        { value: 'mine', label: t('tasks.mine') },
        { value: 'all', label: t('tasks.all') },
      ] as const,
      filters: [
        { value: 'in_progress', label: t('tasks.inProgress') },
        { value: 'completed', label: t('tasks.completed') },
        { value: 'overdue', label: t('tasks.overdue') },
      ] as const,
      sorts: [
        { value: 'deadline', label: t('tasks.sortDeadline') },
        { value: 'priority', label: t('tasks.sortPriority') },
      ] satisfies readonly { value: TaskSort; label: string }[],
      empty: {
        in_progress: t('tasks.emptyInProgress'),
        completed: t('tasks.emptyCompleted'),
        overdue: t('tasks.emptyOverdue'),
      } satisfies Record<TaskQuery['filter'], string>,
    }),
    [t],
  );
  const [query, setQuery] = useState<TaskQuery>({ mine: true, filter: 'in_progress' });
  const [sort, setSort] = useState<TaskSort>('deadline');
  const [dialog, setDialog] = useState<{ seq: number; target: TaskDialogTarget } | null>(null);
  const list = useTaskList(account.id, query, active);
  const now = useMinuteClock();
  const heading = useRef<HTMLHeadingElement>(null);
  const localSeq = useRef(0);

  useEffect(() => {
    if (openRequest) setDialog({ seq: openRequest.seq, target: openRequest.target });
  }, [openRequest]);

  const chooseWhose = useCallback((whose: 'mine' | 'all') => setQuery((q) => ({ ...q, mine: whose === 'mine' })), []);
  const chooseFilter = useCallback((filter: TaskQuery['filter']) => setQuery((q) => ({ ...q, filter })), []);
  const chooseSort = useCallback((event: ChangeEvent<HTMLSelectElement>) => setSort(event.target.value as TaskSort), []);
  const open = useCallback((target: TaskDialogTarget) => setDialog({ seq: --localSeq.current, target }), []);
  const openItem = useCallback((item: TaskItem) => open({ kind: 'task', taskId: item.task.id, task: item.task }), [open]);
  const me = { id: home?.profile?.id ?? account.userId, name: account.userName };
  const view = list.data;
  const items = useMemo(
    (): TaskItem[] => (view ? sortTasks(view.tasks, sort, (task) => task).map((task) => ({ key: String(task.id), task })) : []),
    [view, sort],
  );

  return (
    <section className="section tasks-section" aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 ref={heading} id={`${id}-title`} className="section-title" tabIndex={-1}>
          {labels.title}
        </h2>
        <button type="button" className="button button-primary" onClick={() => open({ kind: 'new' })}>
          {labels.add}
        </button>
      </div>
      <div className="task-toolbar">
        <Segmented label={labels.whose} options={whose} value={query.mine ? 'mine' : 'all'} onChange={chooseWhose} />
        <Segmented label={labels.show} options={filters} value={query.filter} onChange={chooseFilter} />
        <label className="task-sort">
          <span className="visually-hidden">{labels.order}</span>
          <select value={sort} onChange={chooseSort}>
            {sorts.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {view?.stale ? <SavedCopyNotice what="tasks" fetchedAt={view.fetchedAt} problem={view.problem} /> : null}
      {list.error ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{t('tasks.loadFailed', { error: list.error })}</span>
          <button type="button" className="button" onClick={list.reload}>
            {t('common.tryAgain')}
          </button>
        </div>
      ) : null}

      {view === undefined ? (
        list.error ? null : (
          <p className="muted" role="status">
            {labels.loading}
          </p>
        )
      ) : items.length === 0 ? (
        <p className="task-empty muted">{empty[query.filter]}</p>
      ) : (
        <TaskList items={items} labelledBy={`${id}-title`} now={now} busy={list.loading} onOpen={openItem} />
      )}

      {dialog ? (
        <TaskDialog
          key={dialog.seq}
          accountId={account.id}
          target={dialog.target}
          shown={active}
          people={home?.people ?? []}
          me={me}
          now={now}
          onClose={() => setDialog(null)}
          onChanged={list.reload}
          fallbackFocus={() => heading.current}
        />
      ) : null}
    </section>
  );
});
