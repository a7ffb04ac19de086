import type { MessageView, PendingMessageView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, memo, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime, nameOrUser } from '../shared/format.ts';
import { refusalText } from '../shared/problemText.ts';
import { MessageText } from './MessageText.tsx';

/** Enter does it, Shift+Enter is a new line, Escape lets go: the same keys in the composer and in an edit. */
export function submitKeys(onSubmit: () => void, onEscape?: () => void) {
  return (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      onSubmit();
    } else if (event.key === 'Escape' && onEscape) {
      event.preventDefault();
      onEscape();
    }
  };
}

/**
 * One message: author, time, text with links. The user's own messages can be edited in place
 * (Enter saves, Escape cancels) and deleted after a confirmation in the same row. Memoised, with
 * callbacks that take the message's id: a message arriving re-renders only itself, not the history.
 */
export const MessageItem = memo(function MessageItem({
  message,
  own,
  editing,
  onEdit: onEditById,
  onSave: onSaveById,
  onDelete: onDeleteById,
}: {
  message: MessageView;
  own: boolean;
  editing: boolean;
  onEdit(messageId: number, editing: boolean): void;
  /** Resolves to an error to show, or null when saved. */
  onSave(messageId: number, text: string): Promise<string | null>;
  onDelete(messageId: number): Promise<string | null>;
}) {
  const onEdit = (on: boolean) => onEditById(message.id, on);
  const onSave = (text: string) => onSaveById(message.id, text);
  const onDelete = () => onDeleteById(message.id);
  const { t } = useTranslation();
  const [text, setText] = useState(message.text);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!editing) return;
    setText(message.text);
    setError(null);
    editor.current?.focus();
  }, [editing, message.text]);

  const act = async (action: () => Promise<string | null>, done: () => void) => {
    setBusy(true);
    const problem = await action();
    setBusy(false);
    setError(problem);
    if (!problem) done();
  };
  const save = () => {
    if (text === message.text) return onEdit(false);
    void act(
      () => onSave(text),
      () => onEdit(false),
    );
  };

  const canChange = own && !message.deleted;
  return (
    <li className={`chat-message${own ? ' is-own' : ''}`}>
      <span className="chat-message-meta">
        <span className="chat-message-author">{nameOrUser(message.authorName, message.authorId)}</span>{' '}
        <time className="chat-message-time" dateTime={message.date}>
          {formatTime(Date.parse(message.date))}
        </time>
        {message.edited && !message.deleted ? <span className="muted"> {t('message.edited')}</span> : null}
      </span>
      {editing ? (
        <div className="chat-message-edit">
          <textarea
            ref={editor}
            className="input chat-composer-input"
            aria-label={t('message.editText')}
            rows={2}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={submitKeys(save, () => onEdit(false))}
          />
          <div className="chat-message-actions is-shown">
            <button type="button" className="button button-primary" disabled={busy || text.trim() === ''} onClick={save}>
              {t('common.save')}
            </button>
            <button type="button" className="button" onClick={() => onEdit(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <p className="chat-message-text">
          {message.deleted ? <em className="muted">{t('message.deleted')}</em> : <MessageText text={message.text} />}
        </p>
      )}
      {canChange && !editing ? (
        confirming ? (
          <div className="chat-message-actions is-shown">
            <span>{t('message.confirmDelete')}</span>
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={() =>
                void act(onDelete, () => {
                  setConfirming(false);
                })
              }
            >
              {t('common.delete')}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </div>
        ) : (
          <div className="chat-message-actions">
            <button type="button" className="button button-small" aria-label={t('message.edit')} onClick={() => onEdit(true)}>
              {t('common.edit')}
            </button>
            <button type="button" className="button button-small" aria-label={t('message.delete')} onClick={() => setConfirming(true)}>
              {t('common.delete')}
            </button>
          </div>
        )
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
});

/** A message still in the outbox: shown at the end, with what is holding it and, once refused, Retry and Discard. */
export function PendingItem({
  pending,
  authorName,
  onRetry,
  onDiscard,
}: {
  pending: PendingMessageView;
  authorName: string;
  onRetry(): void;
  onDiscard(): void;
}) {
  const { t } = useTranslation();
  const status =
    pending.status === 'sending' ? t('message.sending') : pending.status === 'waiting' ? t('message.waiting') : t('message.notSent');
  return (
    <li className={`chat-message is-own is-pending is-${pending.status}`}>
      <span className="chat-message-meta">
        <span className="chat-message-author">{authorName}</span>{' '}
        <span className="chat-message-status" role="status">
          {status}
          {pending.error ? `: ${refusalText({ error: pending.error.code, message: pending.error.message }, 'chat')}` : ''}
        </span>
      </span>
      <p className="chat-message-text">
        <MessageText text={pending.text} />
      </p>
      {pending.status === 'failed' ? (
        <div className="chat-message-actions is-shown">
          <button type="button" className="button button-small" onClick={onRetry}>
            {t('message.retry')}
          </button>
          <button type="button" className="button button-small" onClick={onDiscard}>
            {t('message.discard')}
          </button>
        </div>
      ) : null}
    </li>
  );
}
