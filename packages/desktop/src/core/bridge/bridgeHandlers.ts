import type { BridgeMethod, BridgeRequest, BridgeResponse } from '@multidesk/protocol';
import type { AccountManager } from '../accounts/accountManager.ts';

export type BridgeHandlers = { [M in BridgeMethod]: (request: BridgeRequest<M>) => Promise<BridgeResponse<M>> };

/** The core's side of every bridge route, typed from the one contract in protocol/bridge.ts. */
export function createBridgeHandlers(manager: AccountManager): BridgeHandlers {
  return {
    getState: async () => ({ accounts: manager.list(), vault: manager.vaultInfo }),
    signIn: (request) => manager.signIn(request),
    connect: async ({ id }) => {
      await manager.connect(id);
      return { ok: true };
    },
    disconnect: async ({ id }) => {
      await manager.disconnect(id);
      return { ok: true };
    },
    remove: async ({ id }) => {
      await manager.remove(id);
      return { ok: true };
    },
    home: ({ id }) => manager.home(id),
  };
}
