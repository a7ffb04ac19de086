import type { AccountView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, type RefCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rovingIndex } from '../shared/rovingIndex.ts';

export type AccountAction = 'disconnect' | 'connect' | 'delete';

interface Props {
  account: AccountView;
  onAction(action: AccountAction): void;
  /** The `...` button, so focus can come back to it after a dialog. */
  buttonRef: RefCallback<HTMLButtonElement>;
}

function actionsFor(account: AccountView): AccountAction[] {
  if (account.state === 'connected') return ['disconnect', 'delete'];
  if (account.state === 'disconnected') return ['connect', 'delete'];
  return ['delete'];
}

/**
 * The `...` button of an account row and its menu (WAI-ARIA menu button: arrows move, Home/End
 * jump, Escape closes and returns focus, Tab or a click elsewhere closes).
 */
export function AccountMenu({ account, onAction, buttonRef }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);
  const menu = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  const actions = actionsFor(account);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    setPosition(null);
    if (returnFocus) button.current?.focus();
  };

  // Fixed position next to the button, flipped above it when there is no room below.
  useLayoutEffect(() => {
    if (!open || !button.current || !menu.current) return;
    const anchor = button.current.getBoundingClientRect();
    const box = menu.current.getBoundingClientRect();
    const below = anchor.bottom + 4;
    const top = below + box.height > window.innerHeight - 8 ? Math.max(8, anchor.top - 4 - box.height) : below;
    const left = Math.min(Math.max(8, anchor.right - box.width), window.innerWidth - box.width - 8);
    setPosition({ top, left });
  }, [open]);

  // Focus the first item once the menu is placed (a hidden element cannot take focus).
  const placed = position !== null;
  useLayoutEffect(() => {
    if (open && placed) items.current[0]?.focus();
  }, [open, placed]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  });

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    if (event.key === 'Tab') {
      close(false);
      return;
    }
    const list = items.current.filter((el): el is HTMLButtonElement => el !== null);
    const next = rovingIndex(event.key, list.indexOf(document.activeElement as HTMLButtonElement), list.length, 'vertical');
    if (next === null) return;
    event.preventDefault();
    list[next]?.focus();
  };

  const onButtonKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
    }
  };

  return (
    <>
      <button
        ref={(el) => {
          button.current = el;
          buttonRef(el);
        }}
        type="button"
        className="icon-button more-button"
        aria-label={t('accountMenu.moreFor', { portal: account.portalTitle })}
        title={t('accountMenu.more')}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => (open ? close(false) : setOpen(true))}
        onKeyDown={onButtonKeyDown}
      >
        <span aria-hidden="true">…</span>
      </button>
      {open ? (
        <div
          ref={menu}
          id={`${id}-menu`}
          className="menu"
          role="menu"
          aria-label={t('accountMenu.actionsFor', { portal: account.portalTitle })}
          tabIndex={-1}
          style={position ? { top: position.top, left: position.left } : { visibility: 'hidden' }}
          onKeyDown={onMenuKeyDown}
        >
          {actions.map((action, i) => (
            <button
              key={action}
              ref={(el) => {
                items.current[i] = el;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`menu-item${action === 'delete' ? ' menu-item-danger' : ''}`}
              onClick={() => {
                // Delete opens a dialog, which takes the focus; the others hand it back to the button.
                close(action !== 'delete');
                onAction(action);
              }}
            >
              {action === 'disconnect' ? t('accountMenu.disconnect') : action === 'connect' ? t('common.connect') : t('common.delete')}
            </button>
          ))}
        </div>
      ) : null}
    </>
  );
}
