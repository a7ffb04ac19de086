import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BridgeStore } from '../shared/bridgeStore.ts';
import { StoreContext } from '../shared/useBridge.ts';
import { WorkspaceApp } from './WorkspaceApp.tsx';

const store = new BridgeStore();
store.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext value={store}>
      <WorkspaceApp />
    </StoreContext>
  </StrictMode>,
);
