import type { WindowKind } from '@multidesk/protocol/bridge';
import { type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setLocale } from '../i18n/i18n.ts';
import { BridgeStore } from './bridgeStore.ts';
import { showSystemNotifications } from './systemNotifications.ts';
import { StoreContext } from './useBridge.ts';

/** Starts a window: its store, fed by the core from here on, and `app` rendered into #root with it. */
export function mountWindow(window: WindowKind, app: ReactNode): void {
  const store = new BridgeStore();
  // The language the core says, before React renders the state that says it.
  store.subscribe(() => {
    const { state } = store.getSnapshot();
    if (state) setLocale(state.locale);
  });
  store.start(window);
  showSystemNotifications(store, window);

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoreContext value={store}>{app}</StoreContext>
    </StrictMode>,
  );
}
