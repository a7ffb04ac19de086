import type { AccountView } from '@multidesk/protocol/bridge';
import { type FocusEvent, type KeyboardEvent, type RefObject, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../shared/Avatar.tsx';
import { addressOf, statusInWords } from '../shared/format.ts';
import { problemText } from '../shared/problemText.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';
import { type AccountAction, AccountMenu } from './AccountMenu.tsx';

interface Props {
  id: string;
  accounts: readonly AccountView[];
  chosenId: string | null;
  /** Accounts with a call in flight, and what it is doing ("Disconnecting…"). */
  busy: ReadonlyMap<string, string>;
  error: string | null;
  onChoose(accountId: string): void;
  onAction(account: AccountView, action: AccountAction): void;
  onClose(returnFocus: boolean): void;
  /** Where a `...` button lives, by account id: focus comes back there after a dialog. */
  moreButtons: RefObject<Map<string, HTMLButtonElement>>;
  /** The Accounts button: clicks on it toggle the list, so they are not "outside". */
  toggle: RefObject<HTMLButtonElement | null>;
  /** True while a modal dialog opened from the list is up: the list stays as it is. */
  holding: boolean;
}

/** The account list that the profile photo opens: every account, its state, its unread count, its actions. */
export function AccountList({ id, accounts, chosenId, busy, error, onChoose, onAction, onClose, moreButtons, toggle, holding }: Props) {
  const { t } = useTranslation();
  const panel = useRef<HTMLElement>(null);

  // Focus goes to the chosen account on open (or the first).
  useEffect(() => {
    const rows = panel.current?.querySelectorAll<HTMLButtonElement>('.account-choose');
    const chosen = panel.current?.querySelector<HTMLButtonElement>('.account-choose[aria-current="true"]');
    (chosen ?? rows?.[0] ?? panel.current)?.focus();
  }, []);

  useEffect(() => {
    if (holding) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Element;
      if (panel.current?.contains(target) || toggle.current?.contains(target) || target.closest?.('[role="menu"], dialog')) return;
      onClose(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  });

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === 'Escape' && !holding) {
      event.preventDefault();
      onClose(true);
      return;
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const rows = [...(panel.current?.querySelectorAll<HTMLButtonElement>('.account-choose') ?? [])];
      const index = rows.indexOf(document.activeElement as HTMLButtonElement);
      if (index < 0) return;
      event.preventDefault();
      const next = event.key === 'ArrowDown' ? (index + 1) % rows.length : (index - 1 + rows.length) % rows.length;
      rows[next]?.focus();
    }
  };

  // Tabbing out of the list closes it; focus moving to its menu, its dialog or the toggle does not.
  const onBlur = (event: FocusEvent<HTMLElement>) => {
    const next = event.relatedTarget;
    if (holding || !(next instanceof Element)) return;
    if (panel.current?.contains(next) || toggle.current?.contains(next) || next.closest('[role="menu"], dialog')) return;
    onClose(false);
  };

  return (
    <section
      ref={panel}
      onBlur={onBlur}
      id={id}
      className="account-popover"
      aria-label={t('accountList.name')}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <h2 className="popover-title">{t('tabs.accounts')}</h2>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {accounts.length === 0 ? (
        <p className="muted popover-empty">{t('messenger.noAccounts')}</p>
      ) : (
        <ul className="account-list">
          {accounts.map((account) => {
            const chosen = account.id === chosenId;
            const address = addressOf(account.portalUrl);
            const working = busy.get(account.id);
            const problem = account.problem && account.state !== 'disconnected' ? problemText(account.problem) : null;
            return (
              <li key={account.id} className={`account-row${chosen ? ' is-chosen' : ''}`}>
                <button
                  type="button"
                  className="account-choose"
                  aria-current={chosen ? 'true' : undefined}
                  onClick={() => onChoose(account.id)}
                >
                  <Avatar name={account.userName} size="md" />
                  <span className="account-text">
                    <span className="account-title ellipsis" title={account.portalTitle}>
                      {account.portalTitle}
                    </span>
                    <span className="account-detail ellipsis" title={address}>
                      {address}
                    </span>
                    <span className="account-detail ellipsis" title={account.userName}>
                      {account.userName}
                    </span>
                    <span className={`account-state state-${account.state}`}>
                      <span className="state-dot" aria-hidden="true" />
                      {working ?? statusInWords(account)}
                      {problem ? (
                        <span className="account-problem ellipsis" title={problem}>
                          {' '}
                          · {problem}
                        </span>
                      ) : null}
                    </span>
                  </span>
                  <UnreadBadge count={account.unread} />
                  {account.unread > 0 ? <span className="visually-hidden">, {t('unread.short', { count: account.unread })}</span> : null}
                </button>
                <AccountMenu
                  account={account}
                  onAction={(action) => onAction(account, action)}
                  buttonRef={(el) => {
                    if (el) moreButtons.current.set(account.id, el);
                    else moreButtons.current.delete(account.id);
                  }}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
