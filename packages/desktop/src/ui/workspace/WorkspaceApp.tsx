import { type AccountView, FIRST_TAB_MARK, type TaskView } from '@multidesk/protocol/bridge';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AppStatus } from '../shared/AppStatus.tsx';
import { windowTitle } from '../shared/format.ts';
import { useSnapshot, useStore } from '../shared/useBridge.ts';
import { useStableCallback } from '../shared/useStableCallback.ts';
import { SettingsDialog } from './SettingsDialog.tsx';
import { TabPanel } from './TabPanel.tsx';
import { TabStrip } from './TabStrip.tsx';
import { accountKey, hasTab, MY_TASKS_KEY, neighbourAfterRemoval, type Tab } from './tabs.ts';
import type { OpenTaskRequest } from './tasks/TasksSection.tsx';

interface PendingTab {
  key: string;
  /** Focus its address field when it first shows (opened by + or Ctrl+T, or at start). */
  autoFocus: boolean;
}

type FocusTarget = { kind: 'tab'; key: string } | { kind: 'add' };

let pendingCounter = 0;
let openTaskCounter = 0;
const newPendingTab = (): PendingTab => ({ key: `p:${++pendingCounter}`, autoFocus: true });

export function WorkspaceApp() {
  const store = useStore();
  const { t } = useTranslation();
  const { state } = useSnapshot();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsRef = useRef<HTMLButtonElement>(null);
  const [pending, setPending] = useState<PendingTab[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [focusTarget, setFocusTarget] = useState<FocusTarget | null>(null);
  /** A task My tasks asked to open in its account's tab. */
  const [taskToOpen, setTaskToOpen] = useState<{ accountId: string; request: OpenTaskRequest } | null>(null);
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const addRef = useRef<HTMLButtonElement>(null);
  const previousKeys = useRef<string[]>([]);
  const visited = useRef(new Set<string>());
  const started = useRef(false);

  const accounts = state?.accounts.filter(hasTab) ?? [];
  const tabs: Tab[] = [
    { kind: 'my-tasks', key: MY_TASKS_KEY },
    ...accounts.map((account): Tab => ({ kind: 'account', key: accountKey(account.id), account })),
    ...pending.map((p): Tab => ({ kind: 'pending', key: p.key })),
  ];
  const keys = tabs.map((t) => t.key);
  /** What Ctrl+1…9 count: the tabs after My tasks (Ctrl+0). */
  const numbered = keys.filter((k) => k !== MY_TASKS_KEY);
  const current = selected !== null && keys.includes(selected) ? selected : null;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  if (current) visited.current.add(current);

  // Handlers keep their identity across renders (useStableCallback), so the memoized tab strip items
  // and panels re-render only when what they show changes: a tab switch touches two of each.
  const openPending = useStableCallback(() => {
    const tab = newPendingTab();
    setPending((list) => [...list, tab]);
    setSelected(tab.key);
  });

  const select = useStableCallback((key: string, focus: boolean) => {
    setSelected(key);
    if (!focus) return;
    // Focused now, before React changes the page: focus() brings style up to date, which costs
    // next to nothing here and a whole recalculation after the commit (a tab switch's largest
    // part). The strip is scrolled to the tab in the frame (below). An open modal dialog makes
    // the tab inert until it closes in the commit: then the focus moves after it.
    const tab = tabRefs.current.get(key);
    tab?.focus({ preventScroll: true });
    if (document.activeElement !== tab) setFocusTarget({ kind: 'tab', key });
  });

  const closePending = useStableCallback((key: string) => {
    const index = keys.indexOf(key);
    const remaining = keys.filter((k) => k !== key);
    setPending((list) => list.filter((p) => p.key !== key));
    const next = key === current ? neighbourAfterRemoval(keys, index, remaining) : current;
    setSelected(next);
    setFocusTarget(next ? { kind: 'tab', key: next } : { kind: 'add' });
  });

  /** From My tasks: the task's account tab, with the task open in it. */
  const openTask = useStableCallback((accountId: string, task: TaskView) => {
    const key = accountKey(accountId);
    if (!keys.includes(key)) return;
    setSelected(key);
    setTaskToOpen({ accountId, request: { seq: ++openTaskCounter, target: { kind: 'task', taskId: task.id, task } } });
  });

  const signedIn = useStableCallback((pendingKey: string, account: AccountView) => {
    store.upsertAccount(account);
    setPending((list) => list.filter((p) => p.key !== pendingKey));
    // The answer may come after the user has moved on (another +, Ctrl+1): only the tab that was
    // signing in hands its place to the account; otherwise the selection stays where the user put it.
    if (selectedRef.current !== pendingKey) return;
    const key = accountKey(account.id);
    setSelected(key);
    setFocusTarget({ kind: 'tab', key });
  });

  // A performance mark when the first account tab has painted: bench/desktop reads it.
  useEffect(() => {
    if (accounts.length === 0 || performance.getEntriesByName(FIRST_TAB_MARK).length > 0) return;
    requestAnimationFrame(() => performance.mark(FIRST_TAB_MARK));
  });

  // The first state decides what shows: the first account, or a sign-in page ready to type.
  useEffect(() => {
    if (!state || started.current) return;
    started.current = true;
    const first = state.accounts.find(hasTab);
    const tab = first ? null : newPendingTab();
    if (tab) setPending([tab]);
    setSelected(first ? accountKey(first.id) : (tab?.key ?? null));
  }, [state]);

  // A tab that went away (disconnected or deleted elsewhere) hands the selection to a neighbour.
  useEffect(() => {
    const before = previousKeys.current;
    previousKeys.current = keys;
    // Nothing selected yet is not a tab gone: the first state picks the first selection above.
    if (!started.current || selected === null || keys.includes(selected)) return;
    const index = before.indexOf(selected);
    const next = index < 0 ? (keys[0] ?? null) : neighbourAfterRemoval(before, index, keys);
    if (next === selected) return;
    setSelected(next);
    const focusLost = document.activeElement === null || document.activeElement === document.body;
    if (focusLost) setFocusTarget(next ? { kind: 'tab', key: next } : { kind: 'add' });
  });

  useLayoutEffect(() => {
    if (!focusTarget) return;
    const el = focusTarget.kind === 'add' ? addRef.current : tabRefs.current.get(focusTarget.key);
    if (el) {
      el.focus();
      setFocusTarget(null);
    }
  });

  // In the frame that shows the tab: scrolling needs layout, which the frame computes anyway; asked
  // for in the commit it would be computed twice.
  useEffect(() => {
    const tab = current ? tabRefs.current.get(current) : undefined;
    if (!tab) return;
    const frame = requestAnimationFrame(() => tab.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
    return () => cancelAnimationFrame(frame);
  }, [current]);

  // Window-wide shortcuts: Ctrl+0 (My tasks), Ctrl+1…9, Ctrl+Tab / Ctrl+Shift+Tab, Ctrl+T, Ctrl+, (Settings).
  const shortcuts = useRef<(event: KeyboardEvent) => void>(() => {});
  shortcuts.current = (event: KeyboardEvent) => {
    if (event.altKey || !state) return;
    const mod = event.ctrlKey || event.metaKey;
    if (!mod) return;
    if (event.key === ',' || event.code === 'Comma') {
      event.preventDefault();
      setSettingsOpen(true);
      return;
    }
    // The Settings dialog is modal: the shortcuts below act on what is behind it.
    if (settingsOpen) return;
    if (event.key === 'Tab' && event.ctrlKey) {
      event.preventDefault();
      if (keys.length === 0) return;
      const index = current ? keys.indexOf(current) : -1;
      const step = event.shiftKey ? -1 : 1;
      const next = keys[(index + step + keys.length) % keys.length];
      if (next) select(next, true);
      return;
    }
    if (event.shiftKey) return;
    const digit = /^Digit([0-9])$/.exec(event.code)?.[1] ?? (/^[0-9]$/.test(event.key) ? event.key : undefined);
    if (digit) {
      event.preventDefault();
      const key = digit === '0' ? MY_TASKS_KEY : numbered[Number(digit) - 1];
      if (key) select(key, true);
      return;
    }
    if (event.key.toLowerCase() === 't' || event.code === 'KeyT') {
      event.preventDefault();
      openPending();
    }
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => shortcuts.current(event);
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const totalUnread = state?.accounts.reduce((sum, a) => sum + a.unread, 0) ?? 0;
  useEffect(() => {
    document.title = windowTitle('Multidesk', totalUnread);
  }, [totalUnread]);

  const otherAccounts = state ? state.accounts.length - accounts.length : 0;
  const openSettings = useStableCallback(() => setSettingsOpen(true));

  return (
    <div className="workspace">
      <header className="topbar">
        <TabStrip
          tabs={tabs}
          selected={current}
          onSelect={select}
          onClose={closePending}
          onAdd={openPending}
          onSettings={openSettings}
          tabRefs={tabRefs}
          addRef={addRef}
          settingsRef={settingsRef}
        />
      </header>
      <AppStatus />
      {state?.settingsNotice === 'reset' && !settingsOpen ? (
        <div className="banner banner-warning" role="status">
          <span>{t('settings.resetBanner')}</span>
          <button type="button" className="button" onClick={openSettings}>
            {t('settings.open')}
          </button>
        </div>
      ) : null}
      {settingsOpen ? (
        <SettingsDialog accounts={state?.accounts ?? []} onClose={() => setSettingsOpen(false)} fallbackFocus={() => settingsRef.current} />
      ) : null}
      <main className="workspace-main">
        {tabs.map((tab) => (
          <TabPanel
            key={tab.key}
            kind={tab.kind}
            tabKey={tab.key}
            account={tab.kind === 'account' ? tab.account : undefined}
            current={tab.key === current}
            mounted={tab.kind === 'pending' || visited.current.has(tab.key)}
            otherAccounts={tab.kind === 'my-tasks' ? otherAccounts : 0}
            openTask={tab.kind === 'account' && taskToOpen?.accountId === tab.account.id ? taskToOpen.request : undefined}
            autoFocus={tab.kind === 'pending' && (pending.find((p) => p.key === tab.key)?.autoFocus ?? false)}
            onOpenTask={openTask}
            onSignedIn={signedIn}
          />
        ))}
      </main>
    </div>
  );
}
