import type { TaskView } from '@multidesk/protocol/bridge';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../shared/Avatar.tsx';
import { nameOrUser } from '../../shared/format.ts';
import { absoluteTime, deadlineText, isOpen, priorityLabel, statusLabel } from './taskFormat.ts';

interface Props {
  task: TaskView;
  headingId: string;
  now: number;
  /** A fresh copy is being fetched. */
  refreshing: boolean;
  /** Complete or Renew under way. */
  busy: 'complete' | 'renew' | null;
  problem: string | null;
  onEdit(): void;
  onComplete(): void;
  onRenew(): void;
  onClose(): void;
}

/** One task, read-only: its facts, its description as plain text, and what can be done with it. */
export function TaskDetail({ task, headingId, now, refreshing, busy, problem, onEdit, onComplete, onRenew, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();
  const responsibleName = nameOrUser(task.responsibleName, task.responsibleId);
  const createdByName = nameOrUser(task.createdByName, task.createdBy);
  const deadline = deadlineText(task, now);

  // Back from Edit (the dialog is open already): the title is read out again.
  useEffect(() => {
    if (heading.current?.closest('dialog')?.open) heading.current.focus();
  }, []);

  return (
    <div className="task-detail" aria-busy={refreshing || undefined}>
      <h2 ref={heading} id={headingId} className="dialog-title task-detail-title" tabIndex={-1}>
        {task.title || t('task.untitled')}
      </h2>
      <dl className="task-facts">
        <dt>{t('task.status')}</dt>
        <dd>
          <span className={`task-status status-${task.status}`}>{statusLabel(task.status)}</span>
          {task.status === 'completed' && task.closedDate ? (
            <span className="muted"> {absoluteTime(Date.parse(task.closedDate))}</span>
          ) : null}
        </dd>
        <dt>{t('task.priority')}</dt>
        <dd className={task.priority === 2 ? 'priority-high' : undefined}>
          {task.priority === 2 ? (
            <span className="priority-mark" aria-hidden="true">
              !
            </span>
          ) : null}
          {priorityLabel(task.priority)}
        </dd>
        <dt>{t('task.deadline')}</dt>
        <dd>
          {deadline ? (
            <>
              <span className={deadline.overdue ? 'deadline-overdue' : undefined}>
                {deadline.overdue ? t('task.overdueWhen', { when: deadline.relative }) : t('task.dueWhen', { when: deadline.relative })}
              </span>{' '}
              <time className="muted" dateTime={task.deadline ?? undefined}>
                ({deadline.absolute})
              </time>
            </>
          ) : (
            <span className="muted">{t('task.noDeadline')}</span>
          )}
        </dd>
        <dt>{t('task.responsible')}</dt>
        <dd className="task-fact-person">
          <Avatar name={responsibleName} size="sm" />
          {responsibleName}
        </dd>
        <dt>{t('task.createdBy')}</dt>
        <dd className="task-fact-person">
          <Avatar name={createdByName} size="sm" />
          {createdByName}
        </dd>
      </dl>
      <section className="task-description-block" aria-labelledby={`${headingId}-description`}>
        <h3 id={`${headingId}-description`} className="task-subtitle">
          {t('task.description')}
        </h3>
        {task.description.trim() !== '' ? (
          <p className="task-description">{task.description}</p>
        ) : (
          <p className="muted">{t('task.noDescription')}</p>
        )}
      </section>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button" onClick={onEdit} disabled={busy !== null}>
          {t('common.edit')}
        </button>
        {isOpen(task) ? (
          <button type="button" className="button button-primary" onClick={onComplete} disabled={busy !== null}>
            {busy === 'complete' ? <span className="spinner" aria-hidden="true" /> : null}
            {t('task.complete')}
          </button>
        ) : (
          <button type="button" className="button" onClick={onRenew} disabled={busy !== null}>
            {busy === 'renew' ? <span className="spinner" aria-hidden="true" /> : null}
            {t('task.renew')}
          </button>
        )}
        <button type="button" className="button task-detail-close" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}
