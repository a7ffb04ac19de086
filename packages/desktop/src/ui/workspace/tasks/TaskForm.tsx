import type { Person, TaskFields, TaskView } from '@multidesk/protocol/bridge';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { nameOrUser, personName } from '../../shared/format.ts';
import { deadlineToIso, isoToDeadlineInput, PRIORITIES, priorityLabel } from './taskFormat.ts';

const TITLE_MAX = 250;

interface Props {
  /** The task being edited; none for a new task. */
  task?: TaskView | undefined;
  /** The portal's people, to choose the responsible from. */
  people: readonly Person[];
  me: { id: number; name: string };
  /** Sends the fields (only the changed ones when editing); answers the core's message when it refuses. */
  onSubmit(fields: Partial<TaskFields>): Promise<string | null>;
  onCancel(): void;
  /** The id its heading gets: the dialog is named by it. */
  headingId: string;
}

interface Draft {
  title: string;
  description: string;
  responsibleId: number;
  deadline: string;
  priority: number;
}

const draftOf = (task: TaskView | undefined, me: number): Draft => ({
  title: task?.title ?? '',
  description: task?.description ?? '',
  responsibleId: task?.responsibleId ?? me,
  deadline: isoToDeadlineInput(task?.deadline ?? null),
  priority: task?.priority ?? 1,
});

/** New task and Edit task: the same form, Create or Save. The core's refusals show inline, word for word. */
export function TaskForm({ task, people, me, onSubmit, onCancel, headingId }: Props) {
  const id = useId();
  const initial = useRef(draftOf(task, me.id)).current;
  const [draft, setDraft] = useState(initial);
  const { t } = useTranslation();
  const [invalid, setInvalid] = useState<{ title?: string; deadline?: string }>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);
  const deadlineRef = useRef<HTMLInputElement>(null);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    // The portal's last answer was about the old values.
    setProblem(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const title = draft.title.trim();
    const deadline = deadlineToIso(draft.deadline);
    const wrong = {
      ...(title === '' ? { title: t('taskForm.enterTitle') } : {}),
      ...(deadline.ok ? {} : { deadline: t('taskForm.enterDeadline') }),
    };
    setInvalid(wrong);
    if (wrong.title) return titleRef.current?.focus();
    if (!deadline.ok) return deadlineRef.current?.focus();

    const all: TaskFields = {
      title,
      description: draft.description,
      responsibleId: draft.responsibleId,
      deadline: deadline.iso,
      priority: draft.priority,
    };
    const fields = task ? changedFields(all, draft, initial) : all;
    if (Object.keys(fields).length === 0) return onCancel();
    setBusy(true);
    setProblem(null);
    const message = await onSubmit(fields);
    setBusy(false);
    if (message) setProblem(message);
  };

  const choices = responsibleChoices(people, me, task, t('taskForm.me'));

  return (
    <form className="task-form" noValidate onSubmit={(e) => void submit(e)}>
      <h2 id={headingId} className="dialog-title">
        {task ? t('taskForm.editTitle') : t('tasks.new')}
      </h2>
      <div className="field">
        <label htmlFor={`${id}-title`}>{t('taskForm.title')}</label>
        <input
          ref={titleRef}
          id={`${id}-title`}
          type="text"
          // biome-ignore lint/a11y/noAutofocus: the dialog opens for this field.
          autoFocus
          required
          maxLength={TITLE_MAX}
          value={draft.title}
          onChange={(e) => {
            set('title', e.target.value);
            if (invalid.title && e.target.value.trim() !== '') setInvalid(({ title: _, ...rest }) => rest);
          }}
          aria-invalid={invalid.title ? true : undefined}
          aria-describedby={invalid.title ? `${id}-title-error` : undefined}
        />
        {invalid.title ? (
          <span id={`${id}-title-error`} className="field-error">
            {invalid.title}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>{t('task.description')}</label>
        <textarea
          id={`${id}-description`}
          rows={4}
          maxLength={20_000}
          value={draft.description}
          onChange={(e) => set('description', e.target.value)}
        />
      </div>
      <div className="task-form-row">
        <div className="field">
          <label htmlFor={`${id}-responsible`}>{t('task.responsible')}</label>
          <select id={`${id}-responsible`} value={draft.responsibleId} onChange={(e) => set('responsibleId', Number(e.target.value))}>
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-deadline">
          <label htmlFor={`${id}-deadline`}>{t('task.deadline')}</label>
          <input
            ref={deadlineRef}
            id={`${id}-deadline`}
            type="datetime-local"
            value={draft.deadline}
            onChange={(e) => {
              set('deadline', e.target.value);
              if (invalid.deadline) setInvalid(({ deadline: _, ...rest }) => rest);
            }}
            aria-invalid={invalid.deadline ? true : undefined}
            aria-describedby={invalid.deadline ? `${id}-deadline-error` : undefined}
          />
          {invalid.deadline ? (
            <span id={`${id}-deadline-error`} className="field-error">
              {invalid.deadline}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>{t('task.priority')}</label>
          <select id={`${id}-priority`} value={draft.priority} onChange={(e) => set('priority', Number(e.target.value))}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {priorityLabel(p)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="actions actions-end">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {task ? t('common.save') : t('taskForm.create')}
        </button>
      </div>
    </form>
  );
}

/** What an edit changed, so a Save sends only that (and an untouched deadline keeps its exact value). */
function changedFields(all: TaskFields, draft: Draft, initial: Draft): Partial<TaskFields> {
  return {
    ...(draft.title.trim() !== initial.title ? { title: all.title } : {}),
    ...(draft.description !== initial.description ? { description: all.description } : {}),
    ...(draft.responsibleId !== initial.responsibleId ? { responsibleId: all.responsibleId } : {}),
    ...(draft.deadline !== initial.deadline ? { deadline: all.deadline ?? null } : {}),
    ...(draft.priority !== initial.priority ? { priority: all.priority } : {}),
  };
}

/** Me first (marked), then the portal's people by name; the task's responsible stays choosable if not among them. */
function responsibleChoices(people: readonly Person[], me: { id: number; name: string }, task: TaskView | undefined, meMark: string) {
  const others = people
    .filter((p) => p.id !== me.id)
    .map((p) => ({ id: p.id, name: personName(p) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const self = people.find((p) => p.id === me.id);
  const choices = [{ id: me.id, name: `${self ? personName(self) : me.name} ${meMark}` }, ...others];
  if (task && !choices.some((c) => c.id === task.responsibleId))
    choices.push({ id: task.responsibleId, name: nameOrUser(task.responsibleName, task.responsibleId) });
  return choices;
}
