import dbus from 'dbus-next';

export interface ShownNotification {
  id: number;
  app: string;
  summary: string;
  body: string;
}

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';

/**
 * The desktop shell's side of system notifications (the freedesktop.org D-Bus service a notification
 * daemon such as GNOME Shell provides), on the test session bus: it records what the app shows and
 * can click a notification the way a user would. Chromium uses it when it finds it on the bus at start.
 */
export class NotificationServer {
  readonly shown: ShownNotification[] = [];
  readonly #bus = dbus.sessionBus();
  readonly #service: NotificationsInterface;
  #waiters: (() => void)[] = [];

  private constructor() {
    this.#service = new NotificationsInterface(NAME, (notification) => {
      this.shown.push(notification);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async start(): Promise<NotificationServer> {
    const server = new NotificationServer();
    server.#bus.export(PATH, server.#service);
    const reply = await server.#bus.requestName(NAME, dbus.NameFlag.DO_NOT_QUEUE);
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error(`another process owns ${NAME} on this bus`);
    return server;
  }

  /** The first notification (from `from` on) that matches, once it is shown. */
  async waitFor(match: (n: ShownNotification) => boolean, from = 0, timeoutMs = 15_000): Promise<ShownNotification> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.shown.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such notification; shown: ${JSON.stringify(this.shown.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The user clicks the notification's body (its default action). */
  click(notification: ShownNotification): void {
    this.#service.ActionInvoked(notification.id, 'default');
  }

  async stop(): Promise<void> {
    await this.#bus.releaseName(NAME).catch(() => undefined);
    this.#bus.disconnect();
  }
}

class NotificationsInterface extends dbus.interface.Interface {
  #nextId = 1;
  readonly #onShow: (n: ShownNotification) => void;

  constructor(name: string, onShow: (n: ShownNotification) => void) {
    super(name);
    this.#onShow = onShow;
  }

  Notify(app: string, replaces: number, _icon: string, summary: string, body: string): number {
    const id = replaces || this.#nextId++;
    this.#onShow({ id, app, summary, body });
    return id;
  }

  GetCapabilities(): string[] {
    return ['actions', 'body'];
  }

  GetServerInformation(): string[] {
    return ['multidesk-test-shell', 'multidesk', '1.0', '1.2'];
  }

  CloseNotification(_id: number): void {}

  ActionInvoked(id: number, action: string): [number, string] {
    return [id, action];
  }

  NotificationClosed(id: number, reason: number): [number, number] {
    return [id, reason];
  }
}

NotificationsInterface.configureMembers({
  methods: {
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    GetCapabilities: { inSignature: '', outSignature: 'as' },
    GetServerInformation: { inSignature: '', outSignature: 'ssss' },
    CloseNotification: { inSignature: 'u', outSignature: '' },
  },
  signals: { ActionInvoked: { signature: 'us' }, NotificationClosed: { signature: 'uu' } },
});
