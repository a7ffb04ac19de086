import type { ChatView } from '@multidesk/protocol/bridge';
import { memo, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../shared/Avatar.tsx';
import { formatShortTime, formatTime, nameOrUser } from '../shared/format.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';
import { useStableCallback } from '../shared/useStableCallback.ts';

/** The account's recent chats, newest activity first: name, last message, its time, unread count. */
export function ChatList({ chats, selected, onSelect }: { chats: ChatView[]; selected: string | null; onSelect(dialogId: string): void }) {
  const { t } = useTranslation();
  const prefix = useId();
  // One function for the rows' whole life, so that a row whose chat did not change is not rendered again.
  const select = useStableCallback(onSelect);
  if (chats.length === 0) return <p className="muted">{t('chatList.none')}</p>;
  return (
    <ul className="chat-list" aria-label={t('chatArea.chats')}>
      {chats.map((chat) => (
        <ChatRow key={chat.dialogId} chat={chat} selected={chat.dialogId === selected} idPrefix={prefix} onSelect={select} />
      ))}
    </ul>
  );
}

/** One chat of the list. Memoised: a message changes one chat (a delta keeps every other chat's object), so only that row renders again. */
const ChatRow = memo(function ChatRow({
  chat,
  selected,
  idPrefix,
  onSelect,
}: {
  chat: ChatView;
  selected: boolean;
  idPrefix: string;
  onSelect(dialogId: string): void;
}) {
  const { t } = useTranslation();
  const last = chat.lastMessage;
  const author = last ? nameOrUser(last.authorName, last.authorId) : '';
  const lastText = last ? `${author ? `${author}: ` : ''}${last.text || t('chatList.deleted')}` : t('chatList.noMessages');
  const lastId = `${idPrefix}-last-${chat.dialogId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const at = last ? Date.parse(last.date) : 0;
  return (
    // The button holds the chat's name only (its accessible name is the name and the unread count);
    // it covers the whole row, and the last message and its time describe it.
    <li className={`chat-list-row${selected ? ' is-selected' : ''}`}>
      <Avatar name={chat.title} />
      <span className="chat-list-text">
        <span className="chat-list-top">
          <button
            type="button"
            className="chat-list-item chat-list-name ellipsis"
            aria-current={selected ? 'true' : undefined}
            aria-label={chat.unread > 0 ? `${chat.title}, ${t('unread.short', { count: chat.unread })}` : chat.title}
            aria-describedby={lastId}
            onClick={() => onSelect(chat.dialogId)}
          >
            {chat.title}
          </button>
          {last ? (
            <time className="chat-list-time" dateTime={last.date} title={formatTime(at)}>
              {formatShortTime(at)}
            </time>
          ) : null}
        </span>
        <span className="chat-list-bottom">
          <span id={lastId} className="chat-list-last ellipsis">
            {lastText}
          </span>
          <UnreadBadge count={chat.unread} />
        </span>
      </span>
    </li>
  );
});
