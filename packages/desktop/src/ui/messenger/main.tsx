import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BridgeStore } from '../shared/bridgeStore.ts';
import { StoreContext } from '../shared/useBridge.ts';
import { MessengerApp } from './MessengerApp.tsx';

const store = new BridgeStore();
store.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext value={store}>
      <MessengerApp />
    </StoreContext>
  </StrictMode>,
);
