import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import type { BridgeStore, HomeEntry, StoreSnapshot } from './bridgeStore.ts';

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
