import type { BridgeMethod, BridgeRequest, BridgeResponse, DialogRef } from '@multidesk/protocol';
import type { Core } from '../core.ts';
import { INVALID_NETWORK_ADDRESS, normalizePortalAddress } from '../portal/portalAddress.ts';

export type BridgeCore = Pick<
  Core,
  | 'manager'
  | 'signIns'
  | 'flows'
  | 'sso'
  | 'apps'
  | 'browserFlows'
  | 'settings'
  | 'preferences'
  | 'home'
  | 'tasks'
  | 'chats'
  | 'unread'
  | 'notifier'
  | 'openUrl'
  | 'state'
>;

export type BridgeHandlers = { [M in BridgeMethod]: (request: BridgeRequest<M>) => Promise<BridgeResponse<M>> };

/**
 * The core's side of every bridge route, typed from the one contract in protocol/bridge.ts.
 * `showChat` is the bridge's: it knows which windows are open.
 */
export function createBridgeHandlers(
  { manager, signIns, flows, sso, apps, browserFlows, settings, preferences, home, tasks, chats, notifier, openUrl, state }: BridgeCore,
  showChat: (chat: DialogRef) => void,
): BridgeHandlers {
  return {
    getState: async () => state(),
    signIn: (request) => signIns.password(request),
    connectWebhook: ({ url }) => signIns.webhook(url),
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
    home: ({ id }) => home.get(id),
    openInBrowser: async ({ id }) => {
      // The portal's address only: a webhook's code or a token never goes into a browser's URL.
      await openUrl(manager.access(id).view.portalUrl);
      return { ok: true };
    },
    getSettings: async () => preferences.view(),
    updateSettings: (patch) => preferences.update(patch),
    dismissSettingsNotice: async () => {
      settings.dismissNotice();
      return { ok: true };
    },
    setNetworkUrl: async ({ networkUrl }) => {
      const network = normalizePortalAddress(networkUrl);
      if (!network.ok) return INVALID_NETWORK_ADDRESS;
      await settings.update({ networkUrl: network.origin });
      return { ok: true, settings: settings.get() };
    },
    networkSignIn: (request) => flows.networkSignIn(request),
    networkOpen: (request) => flows.open(request),
    networkEnd: (request) => flows.end(request),
    qrStart: (request) => flows.qrStart(request),
    qrWait: (request) => flows.qrWait(request),
    qrCancel: async (request) => flows.qrCancel(request),
    ssoStart: (request) => sso.start(request),
    appHandler: async () => ({ redirectUri: await apps.handlerUrl() }),
    appStart: (request) => apps.start(request),
    ssoWait: (request) => browserFlows.wait(request),
    ssoReopen: (request) => browserFlows.reopen(request),
    ssoCancel: async (request) => browserFlows.cancel(request),
    tasks: (request) => tasks.list(request),
    task: (request) => tasks.get(request),
    taskCreate: (request) => tasks.create(request),
    taskUpdate: (request) => tasks.update(request),
    taskComplete: (request) => tasks.complete(request),
    taskRenew: (request) => tasks.renew(request),
    myTasks: (request) => tasks.myTasks(request),
    chats: (request) => chats.list(request),
    messages: (request) => chats.messages(request),
    send: (request) => chats.send(request),
    read: (request) => chats.read(request),
    editMessage: (request) => chats.editMessage(request),
    deleteMessage: (request) => chats.deleteMessage(request),
    retrySend: (request) => chats.retrySend(request),
    discardSend: (request) => chats.discardSend(request),
    viewing: async ({ viewing }) => {
      notifier.setViewing(viewing);
      return { ok: true };
    },
    openChat: async (chat) => {
      manager.access(chat.id); // an unknown account is a 404, not a window opened for nothing
      showChat(chat);
      return { ok: true };
    },
  };
}
