import type { ChatView } from '@multidesk/protocol/bridge';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../shared/Avatar.tsx';
import { formatShortTime, formatTime } from '../shared/format.ts';
import { UnreadBadge } from '../shared/UnreadBadge.tsx';

/** The account's recent chats, newest activity first: name, last message, its time, unread count. */
export function ChatList({ chats, selected, onSelect }: { chats: ChatView[]; selected: string | null; onSelect(dialogId: string): void }) {
  const { t } = useTranslation();
  if (chats.length === 0) return <p className="muted">{t('chatList.none')}</p>;
  return (
    <ul className="chat-list" aria-label={t('chatArea.chats')}>
      {chats.map((chat) => {
        const last = chat.lastMessage;
        const lastText = last
          ? `${last.authorName ? `${last.authorName}: ` : ''}${last.text || t('chatList.deleted')}`
          : t('chatList.noMessages');
        return (
          <li key={chat.dialogId}>
            <button
              type="button"
              className={`chat-list-item${chat.dialogId === selected ? ' is-selected' : ''}`}
              aria-current={chat.dialogId === selected ? 'true' : undefined}
              aria-label={chat.unread > 0 ? `${chat.title}, ${t('unread.short', { count: chat.unread })}` : chat.title}
              onClick={() => onSelect(chat.dialogId)}
            >
              <Avatar name={chat.title} />
              <span className="chat-list-text">
                <span className="chat-list-top">
                  <span className="chat-list-name ellipsis">{chat.title}</span>
                  {last ? (
                    <time className="chat-list-time" dateTime={last.date} title={formatTime(Date.parse(last.date))}>
                      {formatShortTime(Date.parse(last.date))}
                    </time>
                  ) : null}
                </span>
                <span className="chat-list-bottom">
                  <span className="chat-list-last ellipsis">{lastText}</span>
                  <UnreadBadge count={chat.unread} />
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
