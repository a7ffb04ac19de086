import type { SavedCopyReason, TaskView } from '@multidesk/protocol/bridge';
import { memo, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../shared/Avatar.tsx';
import { nameOrUser } from '../../shared/format.ts';
import { problemText } from '../../shared/problemText.ts';
import { AccountChip } from './AccountChip.tsx';
import { deadlineText, statusLabel } from './taskFormat.ts';

export interface TaskItem {
  key: string;
  task: TaskView;
  /** In My tasks: whose task it is, and whether it comes from a saved copy. */
  account?: { accountId: string; portalTitle: string; userName: string; stale: boolean; problem?: SavedCopyReason | undefined };
}

interface Props {
  items: readonly TaskItem[];
  /** The id of the heading that names the list. */
  labelledBy: string;
  now: number;
  onOpen(item: TaskItem): void;
  busy?: boolean;
  /** Whom a row names: the responsible (an account's list), or the creator (My tasks, where the responsible is always you). */
  person?: 'responsible' | 'creator';
}

/**
 * Tasks, one row each: the title is a button (Tab reaches it, Enter opens it) stretched over the
 * whole row, so a click anywhere opens the task too. The rest of the row describes the button.
 */
export const TaskList = memo(function TaskList({ items, labelledBy, now, onOpen, busy = false, person = 'responsible' }: Props) {
  return (
    <ul className="task-list" aria-labelledby={labelledBy} aria-busy={busy || undefined}>
      {items.map((item) => (
        <TaskRow key={item.key} item={item} now={now} onOpen={onOpen} person={person} />
      ))}
    </ul>
  );
});

interface RowProps {
  item: TaskItem;
  now: number;
  onOpen(item: TaskItem): void;
  person: 'responsible' | 'creator';
}

/** Memoized: a list re-rendering for its busy mark or a changed task rebuilds only the rows that changed. */
const TaskRow = memo(function TaskRow({ item, now, onOpen, person }: RowProps) {
  const id = useId();
  const { t } = useTranslation();
  const { task, account } = item;
  const personName =
    person === 'creator' ? nameOrUser(task.createdByName, task.createdBy) : nameOrUser(task.responsibleName, task.responsibleId);
  const deadline = deadlineText(task, now);
  const high = task.priority === 2;
  const staleWhy = account?.problem ? problemText(account.problem) : undefined;
  return (
    <li className={`task-row${deadline?.overdue ? ' is-overdue' : ''}${account?.stale ? ' is-stale' : ''}`}>
      <div className="task-main">
        <button type="button" className="task-open" aria-describedby={`${id}-account ${id}-meta`} onClick={() => onOpen(item)}>
          {high ? (
            <span className="priority-mark" title={t('task.highPriority')} aria-hidden="true">
              !
            </span>
          ) : null}
          <span className="task-title">{task.title || t('task.untitled')}</span>
        </button>
        {account ? (
          <span id={`${id}-account`} className="task-account">
            <AccountChip portalTitle={account.portalTitle} userName={account.userName} />
            {account.stale ? (
              <span className="tag tag-stale" title={staleWhy ?? t('task.savedCopyTitle')}>
                {t('task.stale')}
                <span className="visually-hidden">: {staleWhy ?? t('task.savedCopy')}.</span>
              </span>
            ) : null}
          </span>
        ) : null}
      </div>
      <span id={`${id}-meta`} className="task-meta">
        {high ? <span className="visually-hidden">{t('task.highPriority')}. </span> : null}
        <span className={`task-status status-${task.status}`}>{statusLabel(task.status)}</span>
        <span className="visually-hidden">. </span>
        <span className="task-deadline">
          {deadline ? (
            <>
              <span className={deadline.overdue ? 'deadline-overdue' : 'deadline-relative'}>
                {deadline.overdue ? t('task.overdueWhen', { when: deadline.relative }) : t('task.dueWhen', { when: deadline.relative })}
              </span>
              <span className="visually-hidden">, </span>
              <time className="deadline-absolute" dateTime={task.deadline ?? undefined}>
                {deadline.absolute}
              </time>
            </>
          ) : (
            <span className="muted">{t('task.noDeadline')}</span>
          )}
        </span>
        <span className="visually-hidden">. </span>
        <span className="task-person">
          <Avatar name={personName} size="sm" />
          <span className="task-person-role">{person === 'creator' ? t('task.createdBy') : t('task.responsible')}</span>
          <span className="ellipsis" title={personName}>
            {personName}
          </span>
        </span>
      </span>
    </li>
  );
});
