import { type KeyboardEvent, type ReactNode, useLayoutEffect, useRef } from 'react';

const FOCUSABLE =
  'button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), a[href], [tabindex]:not([tabindex="-1"])';

interface Props {
  /** The id of the element that names the dialog (its heading). */
  labelledBy: string;
  /** The id of the element that says what the dialog is about, if any. */
  describedBy?: string;
  /**
   * Shown as a modal while true. A dialog of a tab that is not selected is closed (its page is
   * hidden) and shown again when the tab comes back, with the same content.
   */
  shown: boolean;
  /** Escape: the owner closes it (unmounts it). */
  onDismiss(): void;
  /** Where the focus goes when it closes and the element that opened it is gone or hidden. */
  fallbackFocus?(): HTMLElement | null;
  className?: string;
  children: ReactNode;
}

/**
 * A modal `<dialog>` that React owns: mounted is open, unmounted is closed. The page behind is
 * inert, Tab cycles inside, Escape asks the owner, and on close the focus returns to what opened it.
 */
export function ModalDialog({ labelledBy, describedBy, shown, onDismiss, fallbackFocus, className = '', children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  /** Closes this component asked for, told apart from the browser closing it by itself. */
  const ownCloses = useRef(0);
  const fallback = useRef(fallbackFocus);
  fallback.current = fallbackFocus;

  // Layout effects: the dialog is open or closed before the owner's own layout effects move the
  // focus (a tab switch focuses the new tab, which an open modal would keep inert).
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (shown && !el.open) {
      opener.current ??= document.activeElement;
      el.showModal();
    } else if (!shown && el.open) {
      ownCloses.current += 1;
      el.close();
    }
  }, [shown]);

  useLayoutEffect(() => {
    const el = ref.current;
    return () => {
      if (!el?.open) return;
      el.close();
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected && back.checkVisibility()) back.focus();
      else fallback.current?.()?.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab') return;
    const focusable = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].filter((e) => e.checkVisibility());
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    if (event.shiftKey && (document.activeElement === first || !ref.current?.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className={`dialog ${className}`.trim()}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        event.preventDefault();
        onDismiss();
      }}
      onClose={() => {
        if (ownCloses.current > 0) ownCloses.current -= 1;
        // Closed by the browser itself: a second Escape in a row closes a dialog despite preventDefault.
        else onDismiss();
      }}
      onKeyDown={onKeyDown}
    >
      {children}
    </dialog>
  );
}
