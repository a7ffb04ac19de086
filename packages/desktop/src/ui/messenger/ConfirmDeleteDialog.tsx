import type { AccountView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../bridgeClient.ts';

interface Props {
  account: AccountView;
  onConfirm(): Promise<void>;
  onCancel(): void;
}

/**
 * A modal confirmation: the page behind is inert, Tab cycles inside, Escape cancels,
 * Cancel has the initial focus (the safe choice).
 */
export function ConfirmDeleteDialog({ account, onConfirm, onCancel }: Props) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (!el.open) el.showModal();
    cancel.current?.focus();
    return () => el.close();
  }, []);

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

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab') return;
    const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>('button:not(:disabled)') ?? [])];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onCancel={(event) => {
        // Escape: React state decides, not the element.
        event.preventDefault();
        if (!busy) onCancel();
      }}
      onKeyDown={onKeyDown}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        Delete {account.portalTitle}?
      </h2>
      <p id={`${id}-text`}>
        Signs out of {account.portalTitle} on this computer and removes its saved data. Adding it again needs a full sign-in.
      </p>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions actions-end">
        <button ref={cancel} type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          Delete
        </button>
      </div>
    </dialog>
  );
}
