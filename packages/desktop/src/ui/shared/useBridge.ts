import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import type { BridgeStore, ChatDeltaEvent, HomeEntry, StoreSnapshot } from './bridgeStore.ts';

export const StoreContext = createContext<BridgeStore | null>(null);

export function useStore(): BridgeStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside a StoreContext provider');
  return store;
}

export function useSnapshot(): StoreSnapshot {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The account's home, loaded on first use and kept fresh by `home-changed` events. */
export function useHome(accountId: string | null): HomeEntry | undefined {
  const store = useStore();
  const { homes } = useSnapshot();
  useEffect(() => {
    if (accountId) store.ensureHome(accountId);
  }, [store, accountId]);
  return accountId ? homes.get(accountId) : undefined;
}

type DeltaHandler = (events: ChatDeltaEvent[]) => void;

/**
 * The components listening for chat changes, per store. One subscription renders them all in one
 * synchronous pass: a pass per component (the chat list, then the open chat) would lay the window
 * out twice for one message.
 */
const deltaHandlers = new WeakMap<BridgeStore, Set<DeltaHandler>>();

function deltaHandlersOf(store: BridgeStore): Set<DeltaHandler> {
  let handlers = deltaHandlers.get(store);
  if (!handlers) {
    const all = new Set<DeltaHandler>();
    store.onChatDeltas((events) =>
      flushSync(() => {
        for (const handler of all) handler(events);
      }),
    );
    deltaHandlers.set(store, all);
    handlers = all;
  }
  return handlers;
}

/**
 * Calls `apply` with the chat changes the core applied to the account, those of one frame together,
 * and renders them at once: they are on screen in the frame about to be drawn.
 */
export function useChatDeltas(accountId: string, apply: DeltaHandler): void {
  const store = useStore();
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(() => {
    const handlers = deltaHandlersOf(store);
    const handler: DeltaHandler = (events) => {
      const mine = events.filter((delta) => delta.accountId === accountId);
      if (mine.length > 0) applyRef.current(mine);
    };
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }, [store, accountId]);
}
