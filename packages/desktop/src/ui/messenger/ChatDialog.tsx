import type { ChatView, MessageView } from '@multidesk/protocol/bridge';
import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { call, errorMessage } from '../bridgeClient.ts';
import { formatTime } from '../shared/format.ts';

/** Newer pages replace what they cover; older messages loaded before stay. Sorted oldest first. */
function merge(shown: MessageView[], page: MessageView[]): MessageView[] {
  const first = page[0]?.id ?? Number.POSITIVE_INFINITY;
  const byId = new Map(shown.filter((m) => m.id < first).map((m) => [m.id, m]));
  for (const m of page) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * One chat: its history (older pages on demand), plain-text messages with author and time, and the
 * composer. `version` changes when the account's chats change on the server: the newest page reloads.
 */
export function ChatDialog({ accountId, chat, version }: { accountId: string; chat: ChatView; version: number }) {
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const historyRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const dialogId = chat.dialogId;

  const loadNewest = useCallback(async () => {
    try {
      const page = await call('messages', { id: accountId, dialogId });
      if (!page.ok) return setError(page.message);
      setError(null);
      setMessages((shown) => merge(shown, page.messages));
      setHasOlder((older) => older || page.hasOlder);
      setLoaded(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [accountId, dialogId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the server's "reload" signal.
  useEffect(() => {
    void loadNewest();
  }, [loadNewest, version]);

  // Opened, or new messages came while open: mark them read.
  useEffect(() => {
    if (chat.unread > 0) void call('read', { id: accountId, dialogId }).catch(() => undefined);
  }, [accountId, dialogId, chat.unread]);

  const loadingOlder = useRef(false);
  const loadOlder = async () => {
    const oldest = messages[0];
    if (!oldest || loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      const page = await call('messages', { id: accountId, dialogId, beforeId: oldest.id });
      if (!page.ok) return setError(page.message);
      const el = historyRef.current;
      const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
      stickToBottom.current = false;
      setMessages((shown) => merge(page.messages, shown));
      setHasOlder(page.hasOlder);
      requestAnimationFrame(() => {
        if (el) el.scrollTop = el.scrollHeight - fromBottom;
      });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      loadingOlder.current = false;
    }
  };

  useLayoutEffect(() => {
    const el = historyRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  });

  const onScroll = () => {
    const el = historyRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    // Scrolled up to the top: the previous page follows.
    if (el.scrollTop < 8 && hasOlder && el.scrollHeight > el.clientHeight) void loadOlder();
  };

  const send = async () => {
    const text = draft;
    if (text.trim() === '' || sending) return;
    setSending(true);
    setSendError(null);
    try {
      const result = await call('send', { id: accountId, dialogId, text });
      if (!result.ok) {
        setSendError(result.message);
        return;
      }
      setDraft('');
      stickToBottom.current = true;
      setMessages((shown) => (shown.some((m) => m.id === result.message.id) ? shown : [...shown, result.message]));
    } catch (err) {
      setSendError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <section className="chat-dialog" aria-label={chat.title}>
      <h2 className="chat-dialog-title ellipsis">{chat.title}</h2>
      <div className="chat-history" ref={historyRef} onScroll={onScroll}>
        {hasOlder ? (
          <button type="button" className="button chat-older" onClick={() => void loadOlder()}>
            Load older messages
          </button>
        ) : null}
        {error ? (
          <p className="notice notice-warning" role="status">
            {error}
          </p>
        ) : null}
        {!loaded && !error ? (
          <p className="muted" role="status">
            Loading…
          </p>
        ) : null}
        <ol className="chat-messages" aria-label="Messages">
          {messages.map((m) => (
            <li key={m.id} className="chat-message">
              <span className="chat-message-meta">
                <span className="chat-message-author">{m.authorName}</span>{' '}
                <time className="chat-message-time" dateTime={m.date}>
                  {formatTime(Date.parse(m.date))}
                </time>
                {m.edited && !m.deleted ? <span className="muted"> (edited)</span> : null}
              </span>
              <p className="chat-message-text">{m.deleted ? <em className="muted">Message deleted</em> : m.text}</p>
            </li>
          ))}
        </ol>
      </div>
      <form
        className="chat-composer"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <textarea
          className="input chat-composer-input"
          aria-label="Message"
          placeholder="Write a message…"
          rows={2}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="button button-primary" disabled={sending || draft.trim() === ''}>
          Send
        </button>
      </form>
      {sendError ? (
        <p className="notice notice-error" role="alert">
          {sendError}
        </p>
      ) : null}
    </section>
  );
}
