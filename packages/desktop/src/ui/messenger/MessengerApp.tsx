import type { AccountView } from '@multidesk/protocol/bridge';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../bridgeClient.ts';
import { AppStatus } from '../shared/AppStatus.tsx';
import { Avatar } from '../shared/Avatar.tsx';
import { windowTitle } from '../shared/format.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';
import { useSnapshot } from '../shared/useBridge.ts';
import { AccountList } from './AccountList.tsx';
import type { AccountAction } from './AccountMenu.tsx';
import { ChatArea } from './ChatArea.tsx';
import { ConfirmDeleteDialog } from './ConfirmDeleteDialog.tsx';
import { useReportViewing } from './useViewing.ts';

/** The account to show when none was chosen, or the chosen one went away: a live one first. */
function defaultAccount(accounts: readonly AccountView[]): AccountView | undefined {
  return accounts.find((a) => a.state === 'connected') ?? accounts[0];
}

export function MessengerApp() {
  const { state, chatToShow } = useSnapshot();
  const { t } = useTranslation();
  const listId = useId();
  const [chosenId, setChosenId] = useState<string | null>(null);
  /** The open chat of each account, kept while another account is shown. */
  const [openChats, setOpenChats] = useState<ReadonlyMap<string, string>>(new Map());
  const [listOpen, setListOpen] = useState(false);
  const [busy, setBusy] = useState<ReadonlyMap<string, string>>(new Map());
  const [actionError, setActionError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<AccountView | null>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const moreButtons = useRef(new Map<string, HTMLButtonElement>());

  const accounts = state?.accounts ?? [];
  const chosen = accounts.find((a) => a.id === chosenId) ?? defaultAccount(accounts);
  const totalUnread = accounts.reduce((sum, a) => sum + a.unread, 0);
  const openChat = chosen ? (openChats.get(chosen.id) ?? null) : null;
  useReportViewing(chosen?.id ?? null, openChat);

  const selectChat = (accountId: string, dialogId: string | null) =>
    setOpenChats((map) => {
      const next = new Map(map);
      if (dialogId) next.set(accountId, dialogId);
      else next.delete(accountId);
      return next;
    });

  // A clicked notification: that account, that chat.
  // biome-ignore lint/correctness/useExhaustiveDependencies: each request (seq) is acted on once.
  useEffect(() => {
    if (!chatToShow) return;
    setChosenId(chatToShow.accountId);
    selectChat(chatToShow.accountId, chatToShow.dialogId);
    setListOpen(false);
  }, [chatToShow?.seq]);

  useEffect(() => {
    document.title = windowTitle(t('messenger.windowTitle'), totalUnread);
  }, [totalUnread, t]);

  const closeList = (returnFocus: boolean) => {
    setListOpen(false);
    setActionError(null);
    if (returnFocus) toggle.current?.focus();
  };

  const setWorking = (accountId: string, text: string | null) =>
    setBusy((map) => {
      const next = new Map(map);
      if (text) next.set(accountId, text);
      else next.delete(accountId);
      return next;
    });

  const run = async (account: AccountView, action: Exclude<AccountAction, 'delete'>) => {
    setActionError(null);
    setWorking(account.id, action === 'connect' ? t('account.connecting') : t('messenger.disconnecting'));
    try {
      await call(action, { id: account.id });
    } catch (err) {
      const words = { portal: account.portalTitle, error: errorMessage(err) };
      setActionError(action === 'connect' ? t('messenger.connectFailed', words) : t('messenger.disconnectFailed', words));
    } finally {
      setWorking(account.id, null);
    }
  };

  const onAction = (account: AccountView, action: AccountAction) => {
    if (action === 'delete') setDeleting(account);
    else void run(account, action);
  };

  // Where focus goes once the dialog has closed (while it is open, the rest of the page is inert).
  const focusAfterDialog = useRef<(() => HTMLElement | null | undefined) | null>(null);
  useEffect(() => {
    if (deleting || !focusAfterDialog.current) return;
    const target = focusAfterDialog.current();
    focusAfterDialog.current = null;
    (target ?? toggle.current)?.focus();
  });

  const confirmDelete = async (account: AccountView) => {
    await call('remove', { id: account.id });
    // The row is gone: focus the list's first account, or the Accounts button.
    focusAfterDialog.current = () => document.getElementById(listId)?.querySelector<HTMLButtonElement>('.account-choose');
    setDeleting(null);
    if (chosenId === account.id) setChosenId(null);
  };

  const cancelDelete = () => {
    const account = deleting;
    focusAfterDialog.current = () => (account ? moreButtons.current.get(account.id) : null);
    setDeleting(null);
  };

  return (
    <div className="messenger">
      <aside className="rail" aria-label={t('messenger.sidebar')}>
        <span className="rail-mark" aria-hidden="true">
          M
        </span>
        <div className="rail-bottom">
          {/* The unread badge beside the button, not in it: the button's visible label stays its picture (its name is Accounts). */}
          <span className="profile-wrap">
            <button
              ref={toggle}
              type="button"
              className="profile-button"
              aria-label={t('tabs.accounts')}
              title={chosen ? `${chosen.portalTitle} — ${chosen.userName}` : t('tabs.accounts')}
              aria-expanded={listOpen}
              aria-controls={listOpen ? listId : undefined}
              onClick={() => (listOpen ? closeList(false) : setListOpen(true))}
            >
              {chosen ? (
                <Avatar name={chosen.userName} size="lg" />
              ) : (
                <span className="avatar avatar-lg avatar-empty" data-initials="?" aria-hidden="true" />
              )}
            </button>
            <UnreadBadge count={totalUnread} />
          </span>
        </div>
      </aside>
      {listOpen ? (
        <AccountList
          id={listId}
          accounts={accounts}
          chosenId={chosen?.id ?? null}
          busy={busy}
          error={actionError}
          onChoose={(id) => {
            setChosenId(id);
            closeList(true);
          }}
          onAction={onAction}
          onClose={closeList}
          moreButtons={moreButtons}
          toggle={toggle}
          holding={deleting !== null}
        />
      ) : null}
      <div className="messenger-main">
        <AppStatus />
        <main className="messenger-content">
          {chosen ? (
            <ChatArea
              key={chosen.id}
              account={chosen}
              selected={openChat}
              onSelect={(dialogId) => selectChat(chosen.id, dialogId)}
              onConnect={() => void run(chosen, 'connect')}
            />
          ) : state ? (
            <div className="empty">
              <p className="empty-title">{t('messenger.noAccounts')}</p>
            </div>
          ) : null}
        </main>
      </div>
      {deleting ? <ConfirmDeleteDialog account={deleting} onConfirm={() => confirmDelete(deleting)} onCancel={cancelDelete} /> : null}
    </div>
  );
}
