import type { AccountView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, memo, type RefObject, useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../shared/Avatar.tsx';
import { rovingIndex } from '../shared/rovingIndex.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';
import { domId, type Tab, tabAccessibleName } from './tabs.ts';

interface Props {
  tabs: readonly Tab[];
  selected: string | null;
  /** Selects a tab; `focus` moves keyboard focus to it as well. */
  onSelect(key: string, focus: boolean): void;
  onClose(key: string): void;
  onAdd(): void;
  /** Opens the Settings screen (Ctrl+,). */
  onSettings(): void;
  tabRefs: RefObject<Map<string, HTMLButtonElement>>;
  addRef: RefObject<HTMLButtonElement | null>;
  settingsRef: RefObject<HTMLButtonElement | null>;
}

/**
 * The WAI-ARIA tabs pattern: one tab in the Tab order (the selected one), arrow keys move focus
 * and selection along the strip, Home/End jump to its ends, Delete closes a New tab.
 */
export function TabStrip({ tabs, selected, onSelect, onClose, onAdd, onSettings, tabRefs, addRef, settingsRef }: Props) {
  const { t } = useTranslation();
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const index = tabs.findIndex((t) => t.key === selected);
    if (event.key === 'Delete') {
      const tab = tabs[index];
      if (tab?.kind === 'pending') {
        event.preventDefault();
        onClose(tab.key);
      }
      return;
    }
    const next = rovingIndex(event.key, index, tabs.length, 'horizontal');
    const tab = next === null ? undefined : tabs[next];
    if (tab) {
      event.preventDefault();
      onSelect(tab.key, true);
    }
  };

  return (
    <div className="tabstrip">
      <div className="tablist" role="tablist" aria-label={t('tabs.accounts')} onKeyDown={onKeyDown}>
        {tabs.map((tab) => (
          <TabItem
            key={tab.key}
            kind={tab.kind}
            tabKey={tab.key}
            account={tab.kind === 'account' ? tab.account : undefined}
            selected={tab.key === selected}
            onSelect={onSelect}
            tabRefs={tabRefs}
          />
        ))}
      </div>
      <StripButtons
        pendingKeys={tabs.flatMap((tab) => (tab.kind === 'pending' ? [tab.key] : [])).join(' ')}
        onClose={onClose}
        onAdd={onAdd}
        onSettings={onSettings}
        addRef={addRef}
        settingsRef={settingsRef}
      />
    </div>
  );
}

interface ButtonsProps {
  /** The New tabs' keys, space-separated: a string, so that a switch leaves it equal. */
  pendingKeys: string;
  onClose(key: string): void;
  onAdd(): void;
  onSettings(): void;
  addRef: RefObject<HTMLButtonElement | null>;
  settingsRef: RefObject<HTMLButtonElement | null>;
}

/** The strip's buttons besides its tabs. Memoized: a tab switch does not touch them. */
const StripButtons = memo(function StripButtons({ pendingKeys, onClose, onAdd, onSettings, addRef, settingsRef }: ButtonsProps) {
  const { t } = useTranslation();
  return (
    <>
      {/* A tablist owns tabs only: each New tab's close button sits outside it, drawn on its tab (CSS anchor). */}
      <div className="tab-closers">
        {(pendingKeys ? pendingKeys.split(' ') : []).map((key) => (
          <button
            key={key}
            type="button"
            className="icon-button tab-close"
            style={{ positionAnchor: anchorName(key) }}
            aria-label={t('tabs.closeTab')}
            title={t('tabs.closeTabTitle')}
            tabIndex={-1}
            onClick={() => onClose(key)}
          >
            <span aria-hidden="true">×</span>
          </button>
        ))}
      </div>
      <button
        ref={addRef}
        type="button"
        className="tab-add"
        aria-label={t('tabs.add')}
        title={t('tabs.addTitle')}
        aria-keyshortcuts="Control+T"
        onClick={onAdd}
      >
        <span aria-hidden="true">+</span>
      </button>
      <button
        ref={settingsRef}
        type="button"
        className="tab-settings"
        aria-label={t('settings.title')}
        title={t('settings.buttonTitle')}
        aria-keyshortcuts="Control+Comma"
        onClick={onSettings}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" focusable="false" aria-hidden="true">
          <path
            fill="currentColor"
            d="M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3.2h-4l-.4 2.7a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1l.4 2.7h4l.4-2.7c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z"
          />
        </svg>
      </button>
    </>
  );
});

/** The CSS anchor a New tab's close button is placed by. */
const anchorName = (key: string): string => `--${domId('tab', key)}`;

interface ItemProps {
  kind: Tab['kind'];
  tabKey: string;
  account: AccountView | undefined;
  selected: boolean;
  onSelect(key: string, focus: boolean): void;
  tabRefs: RefObject<Map<string, HTMLButtonElement>>;
}

/** One tab. Memoized: a switch re-renders the tab that loses the selection and the one that gains it. */
const TabItem = memo(function TabItem({ kind, tabKey, account, selected, onSelect, tabRefs }: ItemProps) {
  const { t } = useTranslation();
  const ref = useCallback(
    (el: HTMLButtonElement | null) => {
      if (el) tabRefs.current.set(tabKey, el);
      else tabRefs.current.delete(tabKey);
    },
    [tabRefs, tabKey],
  );
  const common = {
    ref,
    type: 'button' as const,
    role: 'tab',
    id: domId('tab', tabKey),
    'aria-selected': selected,
    'aria-controls': domId('panel', tabKey),
    tabIndex: selected ? 0 : -1,
    onClick: () => onSelect(tabKey, true),
  };
  if (kind === 'my-tasks') {
    return (
      <div className={`tab tab-my-tasks${selected ? ' is-selected' : ''}`}>
        <button
          {...common}
          className="tab-button"
          aria-label={t('tabs.myTasksName')}
          title={t('tabs.myTasksTitle')}
          aria-keyshortcuts="Control+0"
        >
          <span className="tab-my-tasks-icon" aria-hidden="true">
            <svg viewBox="0 0 16 16" width="14" height="14" focusable="false" aria-hidden="true">
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </span>
          <span className="tab-text">
            <span className="tab-title ellipsis">{t('myTasks.title')}</span>{' '}
            <span className="tab-subtitle ellipsis">{t('tabs.allAccounts')}</span>
          </span>
        </button>
      </div>
    );
  }
  if (kind === 'pending' || !account) {
    return (
      <div className={`tab tab-pending${selected ? ' is-selected' : ''}`} style={{ anchorName: anchorName(tabKey) }}>
        <button {...common} className="tab-button" aria-keyshortcuts="Delete">
          <span className="tab-new-icon" aria-hidden="true">
            +
          </span>
          <span className="tab-text">
            <span className="tab-title ellipsis">{t('tabs.newTab')}</span>
          </span>
        </button>
      </div>
    );
  }
  const name = tabAccessibleName(account);
  return (
    <div className={`tab${selected ? ' is-selected' : ''}`}>
      <button {...common} className="tab-button" aria-label={name} title={name}>
        <span className="tab-avatar">
          <Avatar name={account.userName} size="sm" />
          {account.state === 'needs_login' ? (
            <span className="tab-warning" aria-hidden="true">
              !
            </span>
          ) : null}
        </span>
        <span className="tab-text">
          <span className="tab-title ellipsis">{account.portalTitle}</span>{' '}
          <span className="tab-subtitle ellipsis">
            {account.connection === 'reconnecting' ? t('account.reconnecting') : account.userName}
          </span>
        </span>{' '}
        <UnreadBadge count={account.unread} />
      </button>
    </div>
  );
});
