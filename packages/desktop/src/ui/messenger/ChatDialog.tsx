import { type ChatView, type MessageView, type PendingMessageView, upsertMessage } from '@multidesk/protocol/bridge';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, errorMessage } from '../bridgeClient.ts';
import { formatTime } from '../shared/format.ts';
import { type Refusal, refusalText } from '../shared/problemText.ts';
import { useChatDeltas } from '../shared/useBridge.ts';
import { MessageItem, PendingItem, submitKeys } from './MessageItem.tsx';

/** Messages arriving while the chat is open are marked read once they stop coming for this long: a burst costs one request. */
const READ_DELAY_MS = 300;

/**
 * Rows kept in the page while the newest messages are in view: a burst or a long history lays out
 * this many, not thousands. Scrolled up, nothing is taken away and older rows come `REVEAL` at a time.
 */
const TAIL = 100;
const REVEAL = 50;

/** Where the rows shown start: the tail at the end, else the first message from `firstShownId` on. */
function firstShownIndex(messages: MessageView[], firstShownId: number | null): number {
  const tail = Math.max(0, messages.length - TAIL);
  if (firstShownId === null) return tail;
  const index = messages.findIndex((m) => m.id >= firstShownId);
  return index < 0 ? tail : index;
}

/** Newer pages replace what they cover; older messages loaded before stay. Sorted oldest first. */
function merge(shown: MessageView[], page: MessageView[]): MessageView[] {
  const first = page[0]?.id ?? Number.POSITIVE_INFINITY;
  const byId = new Map(shown.filter((m) => m.id < first).map((m) => [m.id, m]));
  for (const m of page) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Chat bridge calls answer `{ok: false, error, message}` for refusals; a thrown error is the bridge itself. */
async function problemOf(request: Promise<{ ok: true } | ({ ok: false } & Refusal)>, about: 'chat' | 'message'): Promise<string | null> {
  try {
    const result = await request;
    return result.ok ? null : refusalText(result, about);
  } catch (err) {
    return errorMessage(err);
  }
}

/**
 * One chat: its history (older pages on demand), plain-text messages with author and time, what
 * still waits in the outbox, and the composer. Changes the core applied (a message came, was edited
 * or deleted, the outbox moved) are applied here as they come; `version` changes when the core could
 * not apply one, and the newest page reloads. Memoised: the window's other changes (a counter, the
 * chat list's order) do not render the history again.
 */
export const ChatDialog = memo(function ChatDialog({
  accountId,
  meId,
  meName,
  chat,
  version,
}: {
  accountId: string;
  meId: number;
  meName: string;
  chat: ChatView;
  version: number;
}) {
  const { t } = useTranslation();
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [pending, setPending] = useState<PendingMessageView[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loaded, setLoaded] = useState(false);
  /** When the messages shown were saved, while the portal cannot be reached. */
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  /** The first message shown while scrolled up; null while the newest are in view (the tail is shown). */
  const [firstShownId, setFirstShownId] = useState<number | null>(null);
  const historyRef = useRef<HTMLDivElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const dialogId = chat.dialogId;

  /** The latest load: an older answer arriving after a newer one is dropped. */
  const loadSeq = useRef(0);
  const loadNewest = useCallback(async () => {
    const mine = ++loadSeq.current;
    try {
      const page = await call('messages', { id: accountId, dialogId });
      if (loadSeq.current !== mine) return;
      if (!page.ok) return setError(refusalText(page, 'chat'));
      setError(null);
      setMessages((shown) => merge(shown, page.messages));
      setPending(page.pending);
      setSavedAt(page.stale ? (page.fetchedAt ?? 0) : null);
      setHasOlder((older) => older || page.hasOlder);
      setLoaded(true);
    } catch (err) {
      if (loadSeq.current === mine) setError(errorMessage(err));
    }
  }, [accountId, dialogId]);

  useChatDeltas(accountId, (deltas) => {
    const mine = deltas.filter((delta) => delta.dialogId === dialogId);
    if (mine.length === 0) return;
    setMessages((shown) =>
      mine.reduce((list, { message, removedMessageId }) => {
        const next = message ? upsertMessage(list, message) : list;
        return removedMessageId === undefined ? next : next.filter((m) => m.id !== removedMessageId);
      }, shown),
    );
    const pending = mine.findLast((delta) => delta.pending)?.pending;
    if (pending) setPending(pending);
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the server's "reload" signal.
  useEffect(() => {
    void loadNewest();
  }, [loadNewest, version]);

  // Opened, or new messages came while open: mark them read (once a burst is over).
  useEffect(() => {
    if (chat.unread === 0) return;
    const timer = setTimeout(() => void call('read', { id: accountId, dialogId }).catch(() => undefined), READ_DELAY_MS);
    return () => clearTimeout(timer);
  }, [accountId, dialogId, chat.unread]);

  const loadingOlder = useRef(false);
  const loadOlder = async () => {
    const oldest = messages[0];
    if (!oldest || loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      const page = await call('messages', { id: accountId, dialogId, beforeId: oldest.id });
      if (!page.ok) return setError(refusalText(page, 'chat'));
      // Added above what is read: the history is anchored at its end, so the view does not move.
      setMessages((shown) => merge(page.messages, shown));
      setHasOlder(page.hasOlder);
      setFirstShownId(page.messages[0]?.id ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      loadingOlder.current = false;
    }
  };

  // The history scrolls from its end (CSS column-reverse): scrollTop is 0 at the newest message and
  // negative above it. At the end, new messages stay in view; scrolled up, the browser keeps the rows
  // read in place. No script reads the layout per message, which would force a layout each time.
  const firstIndex = firstShownIndex(messages, firstShownId);
  const shown = firstIndex === 0 ? messages : messages.slice(firstIndex);
  /** Older rows: those loaded but not shown first, then the portal's next page. */
  const showOlder = () => {
    if (firstIndex === 0) return void loadOlder();
    setFirstShownId((messages[Math.max(0, firstIndex - REVEAL)] as MessageView).id);
  };

  const onScroll = () => {
    const el = historyRef.current;
    if (!el) return;
    // Back at the newest, the rows above the tail go; scrolled up, those shown stay.
    if (el.scrollTop > -40) setFirstShownId(null);
    else if (firstShownId === null) setFirstShownId(shown[0]?.id ?? null);
    // Scrolled up to the top: older rows follow.
    if (el.scrollHeight - el.clientHeight + el.scrollTop < 8 && el.scrollHeight > el.clientHeight && (hasOlder || firstIndex > 0)) {
      showOlder();
    }
  };

  const onEdit = useCallback((messageId: number, on: boolean) => {
    setEditing(on ? messageId : null);
    if (!on) composerRef.current?.focus();
  }, []);
  const onSave = useCallback(
    async (messageId: number, text: string) => {
      const problem = await problemOf(call('editMessage', { id: accountId, dialogId, messageId, text }), 'message');
      if (!problem) setMessages((shown) => shown.map((x) => (x.id === messageId ? { ...x, text, edited: true } : x)));
      return problem;
    },
    [accountId, dialogId],
  );
  const onDelete = useCallback(
    async (messageId: number) => {
      const problem = await problemOf(call('deleteMessage', { id: accountId, dialogId, messageId }), 'message');
      if (!problem) setMessages((shown) => shown.map((x) => (x.id === messageId ? { ...x, text: '', deleted: true } : x)));
      return problem;
    },
    [accountId, dialogId],
  );

  /**
   * Queued at once (saved by the core), so the composer is free for the next message right away. It is
   * emptied before the core answers: the core's change showing the message pending can come first, and
   * the text must never be in the composer and the history at once. A refused text comes back, unless
   * something new has been typed meanwhile.
   */
  const send = async () => {
    const text = draft;
    if (text.trim() === '') return;
    setSendError(null);
    setDraft('');
    const giveBack = (problem: string) => {
      setDraft((current) => (current === '' ? text : current));
      setSendError(problem);
    };
    try {
      const result = await call('send', { id: accountId, dialogId, text });
      if (!result.ok) return giveBack(refusalText(result, 'chat'));
      // The core's change for the outbox shows it pending (and later as sent): adding it here could bring back one already sent.
      historyRef.current?.scrollTo({ top: 0 });
    } catch (err) {
      giveBack(errorMessage(err));
    }
  };

  /** Up in an empty composer edits the last message of one's own, as in most chat apps. */
  const editLast = () => {
    const last = messages.findLast((m) => m.authorId === meId && !m.deleted);
    if (last) setEditing(last.id);
  };

  const outbox = (action: 'retrySend' | 'discardSend', clientId: string) =>
    void problemOf(call(action, { id: accountId, clientId }), 'chat').then((problem) => {
      setSendError(problem);
      void loadNewest();
    });

  return (
    <section className="chat-dialog" aria-label={chat.title}>
      <h2 className="chat-dialog-title ellipsis">{chat.title}</h2>
      <div className="chat-history" ref={historyRef} onScroll={onScroll}>
        <div className="chat-history-content">
          {hasOlder || firstIndex > 0 ? (
            <button type="button" className="button chat-older" onClick={showOlder}>
              {t('chatDialog.older')}
            </button>
          ) : null}
          {error ? (
            <p className="notice notice-warning" role="status">
              {error}
            </p>
          ) : null}
          {savedAt !== null && loaded ? (
            <p className="muted" role="status">
              {savedAt ? t('chatDialog.savedFrom', { time: formatTime(savedAt) }) : t('chatDialog.noneSaved')}
            </p>
          ) : null}
          {!loaded && !error ? (
            <p className="muted" role="status">
              {t('common.loading')}
            </p>
          ) : null}
          <ol className="chat-messages" aria-label={t('chatDialog.messages')}>
            {shown.map((m) => (
              <MessageItem
                key={m.id}
                message={m}
                own={m.authorId === meId}
                editing={editing === m.id}
                onEdit={onEdit}
                onSave={onSave}
                onDelete={onDelete}
              />
            ))}
            {pending.map((p) => (
              <PendingItem
                key={p.clientId}
                pending={p}
                authorName={meName}
                onRetry={() => outbox('retrySend', p.clientId)}
                onDiscard={() => outbox('discardSend', p.clientId)}
              />
            ))}
          </ol>
        </div>
      </div>
      <form
        className="chat-composer"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <textarea
          ref={composerRef}
          className="input chat-composer-input"
          aria-label={t('chatDialog.message')}
          placeholder={t('chatDialog.placeholder')}
          rows={2}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowUp' && draft === '') {
              event.preventDefault();
              editLast();
              return;
            }
            submitKeys(() => void send())(event);
          }}
        />
        <button type="submit" className="button button-primary" disabled={draft.trim() === ''}>
          {t('chatDialog.send')}
        </button>
      </form>
      {sendError ? (
        <p className="notice notice-error" role="alert">
          {sendError}
        </p>
      ) : null}
    </section>
  );
});
