import { useTranslation } from 'react-i18next';

interface Props {
  /** The submit button's name. */
  submit: string;
  busy: boolean;
  /** Submit is off for another reason than being busy (something still loading). */
  disabled?: boolean;
  /** What is happening while busy, announced. */
  progress: string;
  onBack(): void;
}

/** The submit and Back buttons of a one-step sign-in form, with its progress while busy. */
export function FormActions({ submit, busy, disabled = false, progress, onBack }: Props) {
  const { t } = useTranslation();
  return (
    <div className="actions">
      {/* aria-disabled, not disabled: the focus stays on the button while it works (the form's submit ignores it then). */}
      <button type="submit" className="button button-primary" aria-disabled={busy || disabled}>
        {busy ? <span className="spinner" aria-hidden="true" /> : null}
        {submit}
      </button>
      <button type="button" className="button" onClick={onBack} disabled={busy}>
        {t('common.back')}
      </button>
      {busy ? (
        <span className="progress-text" role="status">
          {progress}
        </span>
      ) : null}
    </div>
  );
}
