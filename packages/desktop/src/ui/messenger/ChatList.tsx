import type { ChatView } from '@multidesk/protocol/bridge';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../shared/Avatar.tsx';
import { formatShortTime, formatTime } from '../shared/format.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';

/** The account's recent chats, newest activity first: name, last message, its time, unread count. */
export function ChatList({ chats, selected, onSelect }: { chats: ChatView[]; selected: string | null; onSelect(dialogId: string): void }) {
  const { t } = useTranslation();
  const prefix = useId();
  const lastId = (dialogId: string) => `${prefix}-last-${dialogId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (chats.length === 0) return <p className="muted">{t('chatList.none')}</p>;
  return (
    <ul className="chat-list" aria-label={t('chatArea.chats')}>
      {chats.map((chat) => {
        const last = chat.lastMessage;
        const lastText = last
          ? `${last.authorName ? `${last.authorName}: ` : ''}${last.text || t('chatList.deleted')}`
          : t('chatList.noMessages');
        return (
          // The button holds the chat's name only (its accessible name is the name and the unread count);
          // it covers the whole row, and the last message and its time describe it.
          <li key={chat.dialogId} className={`chat-list-row${chat.dialogId === selected ? ' is-selected' : ''}`}>
            <Avatar name={chat.title} />
            <span className="chat-list-text">
              <span className="chat-list-top">
                <button
                  type="button"
                  className="chat-list-item chat-list-name ellipsis"
                  aria-current={chat.dialogId === selected ? 'true' : undefined}
                  aria-label={chat.unread > 0 ? `${chat.title}, ${t('unread.short', { count: chat.unread })}` : chat.title}
                  aria-describedby={`${lastId(chat.dialogId)}`}
                  onClick={() => onSelect(chat.dialogId)}
                >
                  {chat.title}
                </button>
                {last ? (
                  <time className="chat-list-time" dateTime={last.date} title={formatTime(Date.parse(last.date))}>
                    {formatShortTime(Date.parse(last.date))}
                  </time>
                ) : null}
              </span>
              <span className="chat-list-bottom">
                <span id={lastId(chat.dialogId)} className="chat-list-last ellipsis">
                  {lastText}
                </span>
                <UnreadBadge count={chat.unread} />
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
