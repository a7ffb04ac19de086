import type { WindowKind } from '@multidesk/protocol/bridge';
import { call } from '../bridgeClient.ts';
import type { BridgeStore, NotifyEvent } from './bridgeStore.ts';

/** Held by the one window that shows notifications, so two open windows never show one twice. */
const LOCK = 'multidesk-notifications';

/**
 * Shows the core's chat notifications as system notifications. Exactly one window does it (a Web
 * Lock): the Messenger while it is open, since a click there only has to pick the chat, else the
 * Workspace. A click asks the core to show that chat, which opens the Messenger if it is closed.
 */
export function showSystemNotifications(store: BridgeStore, window: WindowKind): void {
  if (typeof Notification === 'undefined' || !navigator.locks) return;
  let holding = false;
  store.onNotify((event) => {
    if (holding) show(event);
  });
  const hold = (steal: boolean) =>
    navigator.locks
      .request(LOCK, { steal }, () => {
        holding = true;
        // Held for the window's life: released when it closes (or the Messenger steals it).
        return new Promise<never>(() => {});
      })
      .catch(() => {
        // Stolen by the Messenger: wait behind it, to take over when it closes.
        holding = false;
        void hold(false);
      });
  void hold(window === 'messenger');
}

function show(event: NotifyEvent): void {
  if (Notification.permission !== 'granted') return;
  // One notification per chat: a newer message replaces the older one instead of piling up.
  // Settings: with sound off the system shows it silent (Multidesk plays no sound of its own).
  const notification = new Notification(event.title, {
    body: event.body,
    tag: `${event.accountId}:${event.dialogId}`,
    silent: event.silent === true,
  });
  notification.onclick = () => {
    notification.close();
    globalThis.focus();
    void call('openChat', { id: event.accountId, dialogId: event.dialogId }).catch(() => undefined);
  };
}
