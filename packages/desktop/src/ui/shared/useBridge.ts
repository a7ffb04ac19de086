import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
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

/** Calls `apply` with each chat change the core applied to the account, as it comes. */
export function useChatDeltas(accountId: string, apply: (delta: ChatDeltaEvent) => void): void {
  const store = useStore();
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(
    () =>
      store.onChatDelta((delta) => {
        if (delta.accountId === accountId) applyRef.current(delta);
      }),
    [store, accountId],
  );
}
