import type { AccountView } from '@multidesk/protocol/bridge';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../bridgeClient.ts';
import { ModalDialog } from '../shared/ModalDialog.tsx';

interface Props {
  account: AccountView;
  onConfirm(): Promise<void>;
  onCancel(): void;
}

/** Asks before an account is deleted. Cancel has the initial focus (the safe choice); Escape cancels unless deleting. */
export function ConfirmDeleteDialog({ account, onConfirm, onCancel }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // After the dialog's layout effect has shown it as a modal.
  useEffect(() => cancel.current?.focus(), []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <ModalDialog
      labelledBy={`${id}-title`}
      describedBy={`${id}-text`}
      shown
      onDismiss={() => {
        if (!busy) onCancel();
      }}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        {t('deleteDialog.title', { portal: account.portalTitle })}
      </h2>
      {account.kind === 'webhook' ? (
        <p id={`${id}-text`}>{t('deleteDialog.webhook', { portal: account.portalTitle })}</p>
      ) : (
        <p id={`${id}-text`}>{t('deleteDialog.signIn', { portal: account.portalTitle })}</p>
      )}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions actions-end">
        <button ref={cancel} type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {t('common.delete')}
        </button>
      </div>
    </ModalDialog>
  );
}
