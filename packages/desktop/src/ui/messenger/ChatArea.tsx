import type { AccountView } from '@multidesk/protocol/bridge';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../bridgeClient.ts';
import { addressOf, formatTime, statusInWords } from '../shared/format.ts';
import { problemText } from '../shared/problemText.ts';
import { useChatDeltas, useHome, useSnapshot } from '../shared/useBridge.ts';
import { useLoader } from '../workspace/tasks/useTasks.ts';
import { ChatDialog } from './ChatDialog.tsx';
import { ChatList } from './ChatList.tsx';
import { placeChat } from './chatDeltas.ts';

/** The chosen account's side of the window: its recent chats and, once one is chosen, that chat. */
export function ChatArea({
  account,
  selected,
  onSelect,
  onConnect,
}: {
  account: AccountView;
  selected: string | null;
  onSelect(dialogId: string | null): void;
  onConnect(): void;
}) {
  // The home's people name the authors of notifications: keep the core's copy fresh while chatting.
  useHome(account.id);
  const { t } = useTranslation();
  const id = useId();
  const address = addressOf(account.portalUrl);
  const version = useSnapshot().chatVersions.get(account.id) ?? 0;
  const chats = useLoader(`chats:${account.id}:${account.state}`, true, () => call('chats', { id: account.id }), version);
  useChatDeltas(account.id, (deltas) => {
    const changed = deltas.flatMap(({ chat }) => (chat ? [chat] : []));
    if (changed.length > 0) chats.patch((data) => ({ ...data, chats: changed.reduce(placeChat, data.chats) }));
  });
  const chosen = chats.data?.chats.find((c) => c.dialogId === selected) ?? null;
  // One notice for an account that cannot reach its portal, whatever part of it noticed first.
  const reconnecting = account.connection === 'reconnecting';
  const savedAt = chats.data?.stale ? chats.data.fetchedAt : null;
  const unread = chats.data?.chats.reduce((sum, chat) => sum + chat.unread, 0) ?? 0;

  return (
    <div className="chat-area chat-area-chats">
      <header className="chat-header">
        <h1 className="chat-title ellipsis" title={account.portalTitle}>
          {account.portalTitle}
        </h1>
        <p className="chat-subtitle ellipsis" title={`${address} · ${account.userName}`}>
          {address} · {account.userName} · {statusInWords(account)}
        </p>
      </header>
      <div className="chat-body">
        {account.state === 'disconnected' ? (
          <div className="notice notice-info notice-row" role="status">
            <span>{t('chatArea.disconnected', { portal: account.portalTitle })}</span>
            <button type="button" className="button" onClick={onConnect}>
              {t('common.connect')}
            </button>
          </div>
        ) : null}
        {account.state === 'needs_login' ? (
          <p className="notice notice-warning" role="status">
            {t('chatArea.needsLogin', { portal: account.portalTitle })}
          </p>
        ) : null}
        {reconnecting ? (
          <p className="notice notice-warning" role="status">
            {t('chatArea.reconnecting', { portal: account.portalTitle })}
            {savedAt ? ` ${t('chatArea.showingSaved', { time: formatTime(savedAt) })}` : ''} {t('chatArea.outboxWaits')}
          </p>
        ) : null}
        {account.state === 'connected' && account.problem && !reconnecting ? (
          <p className="notice notice-warning" role="status">
            {problemText(account.problem)}
          </p>
        ) : null}
        {savedAt && !reconnecting ? (
          <p className="muted" role="status">
            {t('chatArea.savedFrom', { time: formatTime(savedAt) })}
            {chats.data?.problem ? ` (${problemText(chats.data.problem)})` : ''}.
          </p>
        ) : null}
        <div className="chats-layout">
          <section className="chats-pane" aria-labelledby={`${id}-chats`}>
            <h2 id={`${id}-chats`} className="section-title">
              {t('chatArea.chats')}
            </h2>
            {unread > 0 ? (
              <p className="chats-unread muted" role="status">
                {t('unread.messages', { count: unread })}
              </p>
            ) : null}
            {chats.data ? (
              <ChatList chats={chats.data.chats} selected={selected} onSelect={onSelect} />
            ) : chats.error ? (
              <p className="notice notice-warning" role="status">
                {chats.error}
              </p>
            ) : (
              <p className="muted" role="status">
                {t('common.loading')}
              </p>
            )}
          </section>
          {chosen ? (
            <ChatDialog
              key={chosen.dialogId}
              accountId={account.id}
              meId={account.userId}
              meName={account.userName}
              chat={chosen}
              version={version}
            />
          ) : (
            <p className="chat-dialog chat-dialog-empty muted">{t('chatArea.choose')}</p>
          )}
        </div>
      </div>
    </div>
  );
}
