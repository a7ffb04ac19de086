import type { Person, TaskFields, TaskResult, TaskView } from '@multidesk/protocol/bridge';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../../bridgeClient.ts';
import { ModalDialog } from '../../shared/ModalDialog.tsx';
import { refusalText } from '../../shared/problemText.ts';
import { TaskDetail } from './TaskDetail.tsx';
import { TaskForm } from './TaskForm.tsx';

/** What the dialog opens on: a task (with the list's copy while a fresh one loads), or a new task. */
export type TaskDialogTarget = { kind: 'task'; taskId: number; task?: TaskView | undefined } | { kind: 'new' };

interface Props {
  accountId: string;
  target: TaskDialogTarget;
  /** Its tab is the selected one. */
  shown: boolean;
  people: readonly Person[];
  me: { id: number; name: string };
  now: number;
  onClose(): void;
  /** A task was created or changed: lists refetch. */
  onChanged(): void;
  fallbackFocus(): HTMLElement | null;
}

type Mode = 'view' | 'edit' | 'create';

/** A task's detail, its Edit form, or the New task form, in one modal dialog. */
export function TaskDialog({ accountId, target, shown, people, me, now, onClose, onChanged, fallbackFocus }: Props) {
  const headingId = useId();
  const [mode, setMode] = useState<Mode>(target.kind === 'new' ? 'create' : 'view');
  const [task, setTask] = useState<TaskView | undefined>(target.kind === 'task' ? target.task : undefined);
  const [refreshing, setRefreshing] = useState(target.kind === 'task');
  const [busy, setBusy] = useState<'complete' | 'renew' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const taskId = target.kind === 'task' ? target.taskId : null;

  // The list's copy may be minutes old: the detail shows the portal's current one as soon as it comes.
  useEffect(() => {
    if (taskId === null) return;
    let live = true;
    call('task', { id: accountId, taskId })
      .then((result) => {
        if (!live) return;
        if (result.ok) setTask(result.task);
        else setProblem(refusalText(result));
      })
      .catch((err) => live && setProblem(errorMessage(err)))
      .finally(() => live && setRefreshing(false));
    return () => {
      live = false;
    };
  }, [accountId, taskId]);

  /** A change the core answered: the dialog shows the task as it is now, the lists refetch. */
  const apply = (result: TaskResult): string | null => {
    if (!result.ok) return refusalText(result);
    setTask(result.task);
    setMode('view');
    setProblem(null);
    onChanged();
    return null;
  };

  const submit = async (fields: Partial<TaskFields>): Promise<string | null> => {
    try {
      if (mode === 'edit' && task) return apply(await call('taskUpdate', { id: accountId, taskId: task.id, fields }));
      return apply(await call('taskCreate', { id: accountId, fields: fields as TaskFields }));
    } catch (err) {
      return errorMessage(err);
    }
  };

  const act = async (action: 'complete' | 'renew') => {
    if (!task || busy) return;
    setBusy(action);
    setProblem(null);
    try {
      const result = await call(action === 'complete' ? 'taskComplete' : 'taskRenew', { id: accountId, taskId: task.id });
      setProblem(apply(result));
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  let content: ReactNode;
  const { t } = useTranslation();
  if (mode === 'create' || (mode === 'edit' && task)) {
    content = (
      <TaskForm
        task={mode === 'edit' ? task : undefined}
        people={people}
        me={me}
        headingId={headingId}
        onSubmit={submit}
        onCancel={() => (mode === 'edit' ? setMode('view') : onClose())}
      />
    );
  } else if (task) {
    content = (
      <TaskDetail
        task={task}
        headingId={headingId}
        now={now}
        refreshing={refreshing}
        busy={busy}
        problem={problem}
        onEdit={() => {
          setProblem(null);
          setMode('edit');
        }}
        onComplete={() => void act('complete')}
        onRenew={() => void act('renew')}
        onClose={onClose}
      />
    );
  } else {
    content = (
      <div className="task-detail">
        <h2 id={headingId} className="dialog-title">
          {t('taskDialog.task')}
        </h2>
        {problem ? (
          <p className="notice notice-error" role="alert">
            {t('taskDialog.openFailed', { problem })}
          </p>
        ) : (
          <p className="muted" role="status">
            {t('taskDialog.loading')}
          </p>
        )}
        <div className="actions actions-end">
          <button type="button" className="button" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <ModalDialog labelledBy={headingId} shown={shown} onDismiss={onClose} fallbackFocus={fallbackFocus} className="task-dialog">
      {content}
    </ModalDialog>
  );
}
