import { type Static, type TSchema, Type } from 'typebox';

/**
 * The contract between the desktop UI (browser) and the desktop core (Node): every route, its
 * request and its response, declared once. The core validates each request against it before a
 * handler runs; the UI's client is typed from it.
 */

export const AccountState = Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('needs_login')]);
export type AccountState = Static<typeof AccountState>;

/**
 * How an account gets in: Multidesk's own sign-in (address and password, network, QR, SSO), an
 * inbound webhook pasted from Bitrix24, or a Bitrix24 app's keys. Both windows treat them alike.
 */
export const AccountKind = Type.Union([Type.Literal('sign-in'), Type.Literal('webhook'), Type.Literal('app')]);
export type AccountKind = Static<typeof AccountKind>;

export const AccountView = Type.Object({
  id: Type.String(),
  portalUrl: Type.String(),
  portalTitle: Type.String(),
  userId: Type.Integer(),
  userName: Type.String(),
  login: Type.String(),
  kind: AccountKind,
  state: AccountState,
  /**
   * A connected account's realtime link: `connecting` (not yet live since the app started or the
   * account was connected), `live` (events arrive as they happen), `polling` (the portal refuses
   * this credential Push & Pull: changes are fetched every few seconds) or `reconnecting` (it was
   * live and dropped, or a request already failed to reach the portal: sends wait in the outbox).
   * Absent when not connected.
   */
  connection: Type.Optional(
    Type.Union([Type.Literal('connecting'), Type.Literal('live'), Type.Literal('polling'), Type.Literal('reconnecting')]),
  ),
  /** Scopes the credential lacks for what Multidesk shows (`im` for chats, `task` for tasks …). */
  missingScopes: Type.Optional(Type.Array(Type.String())),
  /** Live problems of a connected account: shown, never blocking the others. */
  problem: Type.Optional(Type.String()),
  unread: Type.Integer({ minimum: 0 }),
});
export type AccountView = Static<typeof AccountView>;

export const VaultInfo = Type.Object({
  kind: Type.Union([Type.Literal('keyring'), Type.Literal('memory'), Type.Literal('file')]),
  /** Shown to the user when secrets are not kept safely across restarts. */
  notice: Type.Optional(Type.String()),
});
export type VaultInfo = Static<typeof VaultInfo>;

export const AppState = Type.Object({
  accounts: Type.Array(AccountView),
  vault: VaultInfo,
});
export type AppState = Static<typeof AppState>;

export const AccountRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type AccountRef = Static<typeof AccountRef>;

export const SignInRequest = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 300 }),
  login: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  otp: Type.Optional(Type.String({ maxLength: 32 })),
});
export type SignInRequest = Static<typeof SignInRequest>;

export const SignInFailureCode = Type.Union([
  Type.Literal('invalid_address'),
  Type.Literal('unknown_address'),
  Type.Literal('unreachable'),
  Type.Literal('invalid_credentials'),
  Type.Literal('otp_required'),
  Type.Literal('invalid_otp'),
  Type.Literal('not_a_member'),
  Type.Literal('too_many_attempts'),
  Type.Literal('already_connected'),
  Type.Literal('server_error'),
  /** A network sign-in whose session ended (expired, or Change user): sign in at the network again. */
  Type.Literal('invalid_session'),
  /** Not an inbound webhook URL as Bitrix24 shows one, or one that would send its code in clear. */
  Type.Literal('invalid_webhook'),
]);
export type SignInFailureCode = Static<typeof SignInFailureCode>;

export const SignInResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), account: AccountView }),
  Type.Object({
    ok: Type.Literal(false),
    error: SignInFailureCode,
    message: Type.String(),
    retryAfter: Type.Optional(Type.Integer()),
  }),
]);
export type SignInResult = Static<typeof SignInResult>;

export const WebhookConnectRequest = Type.Object({
  /** `https://<portal>/rest/<user id>/<code>/`, pasted as Bitrix24 shows it. */
  url: Type.String({ minLength: 1, maxLength: 1000 }),
});
export type WebhookConnectRequest = Static<typeof WebhookConnectRequest>;

export const Person = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  lastName: Type.String(),
  email: Type.String(),
  position: Type.String(),
  photo: Type.String(),
});
export type Person = Static<typeof Person>;

export const HomeView = Type.Object({
  profile: Type.Union([Person, Type.Null()]),
  people: Type.Array(Person),
  /** True when this is the cached copy because the portal could not be reached. */
  stale: Type.Boolean(),
  fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  problem: Type.Optional(Type.String()),
});
export type HomeView = Static<typeof HomeView>;

export const Ok = Type.Object({ ok: Type.Literal(true) });

export const Settings = Type.Object({
  /** The network server that lists a login's Bitrix24s; remembered across restarts. */
  networkUrl: Type.String(),
  /**
   * The loopback port of Bitrix24 apps' handler URL (`http://127.0.0.1:<port>/callback`): fixed per
   * profile, since an app registers one URL. Chosen on first use unless `--oauth-redirect-port` names it.
   */
  appRedirectPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export type Settings = Static<typeof Settings>;

export const SetNetworkUrlRequest = Type.Object({ networkUrl: Type.String({ minLength: 1, maxLength: 300 }) });

const Failure = {
  ok: Type.Literal(false),
  error: SignInFailureCode,
  message: Type.String(),
  retryAfter: Type.Optional(Type.Integer()),
};

export const SettingsResult = Type.Union([Type.Object({ ok: Type.Literal(true), settings: Settings }), Type.Object({ ...Failure })]);

/** One Bitrix24 of a network login, marked when this computer has it connected already. */
export const NetworkPortalView = Type.Object({
  title: Type.String(),
  url: Type.String(),
  userName: Type.String(),
  connected: Type.Boolean(),
});
export type NetworkPortalView = Static<typeof NetworkPortalView>;

/**
 * A signed-in network login, held by the core: the UI gets an opaque `flow` handle, never the
 * network session itself.
 */
export const NetworkList = Type.Object({
  ok: Type.Literal(true),
  flow: Type.String(),
  login: Type.String(),
  portals: Type.Array(NetworkPortalView),
});
export type NetworkList = Static<typeof NetworkList>;

export const NetworkSignInRequest = Type.Object({
  networkUrl: Type.String({ minLength: 1, maxLength: 300 }),
  login: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  otp: Type.Optional(Type.String({ maxLength: 32 })),
});
export type NetworkSignInRequest = Static<typeof NetworkSignInRequest>;

export const NetworkSignInResult = Type.Union([NetworkList, Type.Object({ ...Failure })]);
export type NetworkSignInResult = Static<typeof NetworkSignInResult>;

export const FlowRef = Type.Object({ flow: Type.String({ minLength: 1, maxLength: 64 }) });
export type FlowRef = Static<typeof FlowRef>;

export const NetworkOpenRequest = Type.Object({
  flow: Type.String({ minLength: 1, maxLength: 64 }),
  portalUrl: Type.String({ minLength: 1, maxLength: 300 }),
});
export type NetworkOpenRequest = Static<typeof NetworkOpenRequest>;

export const QrStartRequest = Type.Object({
  /** A Bitrix24 address: the approval leads straight into that portal. Without it, the network's list. */
  address: Type.Optional(Type.String({ maxLength: 300 })),
});
export type QrStartRequest = Static<typeof QrStartRequest>;

export const QrStartResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    flow: Type.String(),
    /** The QR code as a PNG data URL; it encodes only the approval URL with an opaque id. */
    qrImage: Type.String(),
    approveUrl: Type.String(),
    /** Epoch ms (core clock) when this code stops working. */
    expiresAt: Type.Integer(),
  }),
  Type.Object({ ...Failure }),
]);
export type QrStartResult = Static<typeof QrStartResult>;

/** The QR flow's state, answered by a long poll (at most ~25 s). */
export const QrWaitResult = Type.Union([
  Type.Object({ status: Type.Literal('pending'), expiresAt: Type.Integer() }),
  Type.Object({ status: Type.Literal('denied') }),
  Type.Object({ status: Type.Literal('expired') }),
  Type.Object({ status: Type.Literal('list'), list: NetworkList }),
  Type.Object({ status: Type.Literal('account'), account: AccountView }),
  Type.Object({ status: Type.Literal('error'), message: Type.String() }),
]);
export type QrWaitResult = Static<typeof QrWaitResult>;

/** Single sign-on in the system browser, the result on a loopback redirect (the core keeps every secret of it). */
export const SsoStartRequest = Type.Object({
  /** A Bitrix24 address, or a work e-mail whose domain the network knows a Bitrix24 by. */
  address: Type.String({ minLength: 1, maxLength: 300 }),
});
export type SsoStartRequest = Static<typeof SsoStartRequest>;

export const SsoFailureCode = Type.Union([
  Type.Literal('invalid_address'),
  Type.Literal('unknown_address'),
  Type.Literal('unreachable'),
  Type.Literal('too_many_attempts'),
  /** No Bitrix24 of the network takes that e-mail's domain, or several do (then the message names them). */
  Type.Literal('no_sso_for_domain'),
  Type.Literal('several_portals'),
  Type.Literal('browser_failed'),
  Type.Literal('sso_not_configured'),
  /** Cancelled or refused at the identity provider. */
  Type.Literal('access_denied'),
  /** Signed in at the identity provider, but no access to this Bitrix24. */
  Type.Literal('not_a_member'),
  Type.Literal('timeout'),
  Type.Literal('cancelled'),
  Type.Literal('server_error'),
  /** A Bitrix24 app's client id or secret that cannot be right, or that the token server refused. */
  Type.Literal('invalid_app'),
]);
export type SsoFailureCode = Static<typeof SsoFailureCode>;

const SsoFailure = {
  error: SsoFailureCode,
  message: Type.String(),
  /** The portal's or the identity provider's own words, when they add to `message`. */
  detail: Type.Optional(Type.String()),
};

export const SsoStartResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    flow: Type.String(),
    /** What the browser signs in to: the portal's title when known, else its address. */
    portal: Type.String(),
    /** Epoch ms (core clock) when the core stops waiting for the browser. */
    expiresAt: Type.Integer(),
  }),
  Type.Object({ ok: Type.Literal(false), ...SsoFailure, retryAfter: Type.Optional(Type.Integer()) }),
]);
export type SsoStartResult = Static<typeof SsoStartResult>;

/** The browser's answer, by long poll (at most ~20 s a call). */
export const SsoWaitResult = Type.Union([
  Type.Object({ status: Type.Literal('pending'), expiresAt: Type.Integer() }),
  Type.Object({ status: Type.Literal('account'), account: AccountView }),
  Type.Object({ status: Type.Literal('failed'), ...SsoFailure }),
]);
export type SsoWaitResult = Static<typeof SsoWaitResult>;

/** Connect with a Bitrix24 app: the app's keys, then its authorization in the system browser. */
export const AppStartRequest = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 300 }),
  clientId: Type.String({ minLength: 1, maxLength: 100 }),
  clientSecret: Type.String({ minLength: 1, maxLength: 200 }),
});
export type AppStartRequest = Static<typeof AppStartRequest>;

/** The handler URL an app must register, for the form to show before anything is sent. */
export const AppHandler = Type.Object({ redirectUri: Type.String() });
export type AppHandler = Static<typeof AppHandler>;

export const SsoReopenResult = Type.Union([
  Type.Object({ ok: Type.Literal(true) }),
  Type.Object({ ok: Type.Literal(false), ...SsoFailure }),
]);
export type SsoReopenResult = Static<typeof SsoReopenResult>;

export const TaskStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_progress'),
  Type.Literal('awaiting_control'),
  Type.Literal('completed'),
  Type.Literal('deferred'),
]);
export type TaskStatus = Static<typeof TaskStatus>;

export const TaskView = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  status: TaskStatus,
  /** 0 low, 1 normal, 2 high (Bitrix24's PRIORITY). */
  priority: Type.Integer({ minimum: 0, maximum: 2 }),
  /** ISO 8601 with time zone, or null. */
  deadline: Type.Union([Type.String(), Type.Null()]),
  responsibleId: Type.Integer(),
  responsibleName: Type.String(),
  createdBy: Type.Integer(),
  createdByName: Type.String(),
  closedDate: Type.Union([Type.String(), Type.Null()]),
  /** Open and past its deadline (computed by the core when the list was fetched). */
  overdue: Type.Boolean(),
});
export type TaskView = Static<typeof TaskView>;

export const TaskFilter = Type.Union([
  Type.Literal('in_progress'),
  Type.Literal('completed'),
  Type.Literal('overdue'),
  Type.Literal('all'),
]);
export type TaskFilter = Static<typeof TaskFilter>;

export const TasksRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  /** Mine (the tasks the user is responsible for, Bitrix24's "Doing") is the default; false lists every task visible to the user. */
  mine: Type.Optional(Type.Boolean()),
  filter: Type.Optional(TaskFilter),
});
export type TasksRequest = Static<typeof TasksRequest>;

export const TasksView = Type.Object({
  tasks: Type.Array(TaskView),
  stale: Type.Boolean(),
  fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  problem: Type.Optional(Type.String()),
});
export type TasksView = Static<typeof TasksView>;

export const TaskRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), taskId: Type.Integer({ minimum: 1 }) });
export type TaskRef = Static<typeof TaskRef>;

export const TaskFields = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 250 }),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  responsibleId: Type.Optional(Type.Integer({ minimum: 1 })),
  /** ISO 8601 date-time with time zone, or null to clear. */
  deadline: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
});
export type TaskFields = Static<typeof TaskFields>;

export const TaskCreateRequest = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), fields: TaskFields });
export const TaskUpdateRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  taskId: Type.Integer({ minimum: 1 }),
  fields: Type.Partial(TaskFields),
});

export const TaskResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), task: TaskView }),
  Type.Object({ ok: Type.Literal(false), error: Type.String(), message: Type.String() }),
]);
export type TaskResult = Static<typeof TaskResult>;

/** One account's open tasks in the cross-account My tasks. */
export const MyTasksGroup = Type.Object({
  accountId: Type.String(),
  portalTitle: Type.String(),
  userName: Type.String(),
  tasks: Type.Array(TaskView),
  stale: Type.Boolean(),
  /** When the tasks shown were fetched (epoch ms): with `stale`, the age of the saved copy. */
  fetchedAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  problem: Type.Optional(Type.String()),
});
export const MyTasksView = Type.Object({ groups: Type.Array(MyTasksGroup) });
export type MyTasksView = Static<typeof MyTasksView>;

/** The last message of a chat in the account's list. */
export const ChatLastMessage = Type.Object({
  id: Type.Integer(),
  text: Type.String(),
  /** ISO 8601 with time zone. */
  date: Type.String(),
  authorId: Type.Integer(),
  authorName: Type.String(),
});

/** One chat of an account's recent list (im.recent.list). */
export const ChatView = Type.Object({
  /** `chat12` for group chats, the other user's id for private dialogs. */
  dialogId: Type.String(),
  chatId: Type.Integer(),
  kind: Type.Union([Type.Literal('chat'), Type.Literal('user')]),
  /** The name shown; avatar initials come from it. */
  title: Type.String(),
  color: Type.String(),
  lastMessage: Type.Union([ChatLastMessage, Type.Null()]),
  unread: Type.Integer({ minimum: 0 }),
});
export type ChatView = Static<typeof ChatView>;

export const ChatsView = Type.Object({
  chats: Type.Array(ChatView),
  stale: Type.Boolean(),
  fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  problem: Type.Optional(Type.String()),
});
export type ChatsView = Static<typeof ChatsView>;

const DialogIdField = Type.String({ minLength: 1, maxLength: 40 });
export const DialogRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), dialogId: DialogIdField });
export type DialogRef = Static<typeof DialogRef>;

export const MessagesRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  dialogId: DialogIdField,
  /** Older than this message (the oldest shown): the previous page. */
  beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type MessagesRequest = Static<typeof MessagesRequest>;

/** A message as shown: plain text, never HTML. */
export const MessageView = Type.Object({
  id: Type.Integer(),
  authorId: Type.Integer(),
  authorName: Type.String(),
  date: Type.String(),
  text: Type.String(),
  edited: Type.Boolean(),
  deleted: Type.Boolean(),
});
export type MessageView = Static<typeof MessageView>;

/**
 * A message written here and not yet accepted by the portal: kept in the account's outbox (it
 * survives a restart) and sent, in order, exactly once under its `clientId`.
 */
export const PendingMessageView = Type.Object({
  clientId: Type.String(),
  dialogId: Type.String(),
  text: Type.String(),
  /** When it was written (ISO 8601). */
  date: Type.String(),
  /** `sending`: being sent; `waiting`: for the portal to answer again; `failed`: refused, see `error`. */
  status: Type.Union([Type.Literal('sending'), Type.Literal('waiting'), Type.Literal('failed')]),
  error: Type.Optional(Type.String()),
});
export type PendingMessageView = Static<typeof PendingMessageView>;

const ChatFailure = { ok: Type.Literal(false), error: Type.String(), message: Type.String() };

export const MessagesResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    /** Oldest first, for display. */
    messages: Type.Array(MessageView),
    /** More, older messages can be loaded (beforeId: the first one here). */
    hasOlder: Type.Boolean(),
    /** This dialog's messages still in the outbox, oldest first (shown after `messages`). */
    pending: Type.Array(PendingMessageView),
    /** The saved copy, shown because the portal cannot be reached (or is still connecting). */
    stale: Type.Boolean(),
    fetchedAt: Type.Union([Type.Integer(), Type.Null()]),
  }),
  Type.Object(ChatFailure),
]);
export type MessagesResult = Static<typeof MessagesResult>;

export const SendRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  dialogId: DialogIdField,
  text: Type.String({ maxLength: 40_000 }),
});
export type SendRequest = Static<typeof SendRequest>;

/** Accepted into the outbox (saved to disk): it is sent as soon as the portal can take it. */
export const SendResult = Type.Union([Type.Object({ ok: Type.Literal(true), pending: PendingMessageView }), Type.Object(ChatFailure)]);
export type SendResult = Static<typeof SendResult>;

export const OutboxRef = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  clientId: Type.String({ minLength: 1, maxLength: 100 }),
});
export type OutboxRef = Static<typeof OutboxRef>;

export const MessageRef = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  dialogId: DialogIdField,
  messageId: Type.Integer({ minimum: 1 }),
});
export type MessageRef = Static<typeof MessageRef>;

export const EditRequest = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  dialogId: DialogIdField,
  messageId: Type.Integer({ minimum: 1 }),
  text: Type.String({ maxLength: 40_000 }),
});
export type EditRequest = Static<typeof EditRequest>;

export const ChatResult = Type.Union([Type.Object({ ok: Type.Literal(true) }), Type.Object(ChatFailure)]);
export type ChatResult = Static<typeof ChatResult>;

/** What the Messenger shows while it has the focus: no notification is raised for that chat. */
export const ViewingRequest = Type.Object({
  viewing: Type.Union([
    Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), dialogId: Type.Optional(DialogIdField) }),
    Type.Null(),
  ]),
});
export type ViewingRequest = Static<typeof ViewingRequest>;

export const ReadResult = Type.Union([Type.Object({ ok: Type.Literal(true), unread: Type.Integer() }), Type.Object(ChatFailure)]);
export type ReadResult = Static<typeof ReadResult>;

interface Route<Req extends TSchema, Res extends TSchema> {
  path: string;
  request: Req;
  response: Res;
}

const route = <Req extends TSchema, Res extends TSchema>(path: string, request: Req, response: Res): Route<Req, Res> => ({
  path,
  request,
  response,
});

/** Every bridge call is a POST of a JSON body to its path. */
export const bridgeApi = {
  getState: route('/api/state', Type.Object({}), AppState),
  signIn: route('/api/sign-in', SignInRequest, SignInResult),
  connectWebhook: route('/api/sign-in/webhook', WebhookConnectRequest, SignInResult),
  connect: route('/api/accounts/connect', AccountRef, Ok),
  disconnect: route('/api/accounts/disconnect', AccountRef, Ok),
  remove: route('/api/accounts/delete', AccountRef, Ok),
  /** The portal's own web interface in the system browser, for what Multidesk does not show (CRM, Drive …). */
  openInBrowser: route('/api/accounts/open-in-browser', AccountRef, Ok),
  home: route('/api/accounts/home', AccountRef, HomeView),
  getSettings: route('/api/settings', Type.Object({}), Settings),
  setNetworkUrl: route('/api/settings/network-url', SetNetworkUrlRequest, SettingsResult),
  networkSignIn: route('/api/network/sign-in', NetworkSignInRequest, NetworkSignInResult),
  networkOpen: route('/api/network/open', NetworkOpenRequest, SignInResult),
  /** Change user: ends this sign-in page's network session only. */
  networkEnd: route('/api/network/end', FlowRef, Ok),
  qrStart: route('/api/qr/start', QrStartRequest, QrStartResult),
  qrWait: route('/api/qr/wait', FlowRef, QrWaitResult),
  qrCancel: route('/api/qr/cancel', FlowRef, Ok),
  ssoStart: route('/api/sso/start', SsoStartRequest, SsoStartResult),
  appHandler: route('/api/app/handler', Type.Object({}), AppHandler),
  /** Answers like ssoStart; the flow is then waited on, reopened and cancelled with the sso routes. */
  appStart: route('/api/app/start', AppStartRequest, SsoStartResult),
  ssoWait: route('/api/sso/wait', FlowRef, SsoWaitResult),
  /** Opens the browser at the same sign-in again (closed by mistake, or behind other windows). */
  ssoReopen: route('/api/sso/reopen', FlowRef, SsoReopenResult),
  ssoCancel: route('/api/sso/cancel', FlowRef, Ok),
  tasks: route('/api/tasks/list', TasksRequest, TasksView),
  task: route('/api/tasks/get', TaskRef, TaskResult),
  taskCreate: route('/api/tasks/create', TaskCreateRequest, TaskResult),
  taskUpdate: route('/api/tasks/update', TaskUpdateRequest, TaskResult),
  taskComplete: route('/api/tasks/complete', TaskRef, TaskResult),
  taskRenew: route('/api/tasks/renew', TaskRef, TaskResult),
  myTasks: route('/api/tasks/mine', Type.Object({}), MyTasksView),
  chats: route('/api/chats/list', AccountRef, ChatsView),
  messages: route('/api/chats/messages', MessagesRequest, MessagesResult),
  send: route('/api/chats/send', SendRequest, SendResult),
  read: route('/api/chats/read', DialogRef, ReadResult),
  editMessage: route('/api/chats/edit', EditRequest, ChatResult),
  deleteMessage: route('/api/chats/delete', MessageRef, ChatResult),
  /** A failed outbox message: try again (same client id) or drop it. */
  retrySend: route('/api/chats/outbox/retry', OutboxRef, ChatResult),
  discardSend: route('/api/chats/outbox/discard', OutboxRef, ChatResult),
  viewing: route('/api/chats/viewing', ViewingRequest, Ok),
  /** A notification was clicked: the Messenger shows that chat (opened if it was closed). */
  openChat: route('/api/chats/open', DialogRef, Ok),
} as const;

export type BridgeApi = typeof bridgeApi;
export type BridgeMethod = keyof BridgeApi;
export type BridgeRequest<M extends BridgeMethod> = Static<BridgeApi[M]['request']>;
export type BridgeResponse<M extends BridgeMethod> = Static<BridgeApi[M]['response']>;

/** Events pushed from the core over the bridge WebSocket. */
export type BridgeEvent =
  | { type: 'state'; state: AppState }
  | { type: 'home-changed'; accountId: string }
  /** A task of that account changed on the server (realtime): lists showing it reload. */
  | { type: 'tasks-changed'; accountId: string }
  /** A chat of that account changed (realtime message or read): the chat list and that dialog reload. */
  | { type: 'chats-changed'; accountId: string; dialogId?: string }
  /** A message came to a chat the user is not looking at: one window shows a system notification. */
  | { type: 'notify'; accountId: string; dialogId: string; title: string; body: string }
  /** Show this chat in the Messenger (a notification was clicked). */
  | { type: 'open-chat'; accountId: string; dialogId: string };

export const BRIDGE_EVENTS_PATH = '/api/events';
/** The app's two windows; the events socket names its window in `?window=`. */
export type WindowKind = 'workspace' | 'messenger';
export const BRIDGE_COOKIE = 'multidesk_bridge';

/** Performance mark the Workspace sets in the frame its first account tab paints (bench/desktop reads it). */
export const FIRST_TAB_MARK = 'multidesk:first-tab-painted';
