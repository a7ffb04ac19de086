import type { AccountView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, memo, type RefObject, useCallback } from 'react';
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
  tabRefs: RefObject<Map<string, HTMLButtonElement>>;
  addRef: RefObject<HTMLButtonElement | null>;
}

/**
 * The WAI-ARIA tabs pattern: one tab in the Tab order (the selected one), arrow keys move focus
 * and selection along the strip, Home/End jump to its ends, Delete closes a New tab.
 */
export function TabStrip({ tabs, selected, onSelect, onClose, onAdd, tabRefs, addRef }: Props) {
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
      <div className="tablist" role="tablist" aria-label="Accounts" onKeyDown={onKeyDown}>
        {tabs.map((tab) => (
          <TabItem
            key={tab.key}
            kind={tab.kind}
            tabKey={tab.key}
            account={tab.kind === 'account' ? tab.account : undefined}
            selected={tab.key === selected}
            onSelect={onSelect}
            onClose={onClose}
            tabRefs={tabRefs}
          />
        ))}
      </div>
      <button
        ref={addRef}
        type="button"
        className="tab-add"
        aria-label="Add Bitrix24"
        title="Add Bitrix24 (Ctrl+T)"
        aria-keyshortcuts="Control+T"
        onClick={onAdd}
      >
        <span aria-hidden="true">+</span>
      </button>
    </div>
  );
}

interface ItemProps {
  kind: Tab['kind'];
  tabKey: string;
  account: AccountView | undefined;
  selected: boolean;
  onSelect(key: string, focus: boolean): void;
  onClose(key: string): void;
  tabRefs: RefObject<Map<string, HTMLButtonElement>>;
}

/** One tab. Memoized: a switch re-renders the tab that loses the selection and the one that gains it. */
const TabItem = memo(function TabItem({ kind, tabKey, account, selected, onSelect, onClose, tabRefs }: ItemProps) {
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
          aria-label="My tasks, all accounts"
          title="My tasks (Ctrl+0)"
          aria-keyshortcuts="Control+0"
        >
          <span className="tab-my-tasks-icon" aria-hidden="true">
            <svg viewBox="0 0 16 16" width="14" height="14" focusable="false" aria-hidden="true">
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </span>
          <span className="tab-text">
            <span className="tab-title ellipsis">My tasks</span>
            <span className="tab-subtitle ellipsis">All accounts</span>
          </span>
        </button>
      </div>
    );
  }
  if (kind === 'pending' || !account) {
    return (
      <div className={`tab tab-pending${selected ? ' is-selected' : ''}`}>
        <button {...common} className="tab-button" aria-keyshortcuts="Delete">
          <span className="tab-new-icon" aria-hidden="true">
            +
          </span>
          <span className="tab-text">
            <span className="tab-title ellipsis">New tab</span>
          </span>
        </button>
        <button
          type="button"
          className="icon-button tab-close"
          aria-label="Close tab"
          title="Close tab (Delete)"
          tabIndex={-1}
          onClick={() => onClose(tabKey)}
        >
          <span aria-hidden="true">×</span>
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
          <span className="tab-title ellipsis">{account.portalTitle}</span>
          <span className="tab-subtitle ellipsis">{account.connection === 'reconnecting' ? 'Reconnecting…' : account.userName}</span>
        </span>
        <UnreadBadge count={account.unread} />
      </button>
    </div>
  );
});
