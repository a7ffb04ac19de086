import { type Static, type TSchema, Type } from 'typebox';
import { AccountId, AccountRef, AppState, HomeView, Ok } from './bridge/accounts.ts';
import {
  ChatDelta,
  ChatResult,
  ChatsView,
  DialogRef,
  EditRequest,
  MessageRef,
  MessagesRequest,
  MessagesResult,
  OutboxRef,
  ReadResult,
  SendRequest,
  SendResult,
  ViewingRequest,
} from './bridge/chats.ts';
import { SetNetworkUrlRequest, SettingsPatch, SettingsResult, SettingsView } from './bridge/settings.ts';
import {
  AppHandler,
  AppStartRequest,
  FlowRef,
  NetworkOpenRequest,
  NetworkSignInRequest,
  NetworkSignInResult,
  QrStartRequest,
  QrStartResult,
  QrWaitResult,
  SignInRequest,
  SignInResult,
  SsoReopenResult,
  SsoStartRequest,
  SsoStartResult,
  SsoWaitResult,
  WebhookConnectRequest,
} from './bridge/signIn.ts';
import {
  MyTasksRequest,
  MyTasksView,
  TaskCreateRequest,
  TaskRef,
  TaskResult,
  TasksRequest,
  TasksView,
  TaskUpdateRequest,
} from './bridge/tasks.ts';

/**
 * The contract between the desktop UI (browser) and the desktop core (Node): every route, its
 * request and its response, declared once. The core validates each request against it before a
 * handler runs; the UI's client is typed from it. The shapes live by domain under bridge/
 * (accounts, sign-in, settings, tasks, chats); the routes and events that join them, here.
 */

export * from './bridge/accounts.ts';
export * from './bridge/chats.ts';
export * from './bridge/settings.ts';
export * from './bridge/signIn.ts';
export * from './bridge/tasks.ts';

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
  getSettings: route('/api/settings', Type.Object({}), SettingsView),
  /** The Settings screen's changes; answers the settings as they now are. */
  updateSettings: route('/api/settings/update', SettingsPatch, SettingsView),
  /** The user has seen that the settings file could not be read. */
  dismissSettingsNotice: route('/api/settings/dismiss-notice', Type.Object({}), Ok),
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
  myTasks: route('/api/tasks/mine', MyTasksRequest, MyTasksView),
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

/** Events pushed from the core over the bridge WebSocket; the UI checks each against this before using it. */
export const BridgeEvent = Type.Union([
  Type.Object({ type: Type.Literal('state'), state: AppState }),
  Type.Object({ type: Type.Literal('home-changed'), accountId: AccountId }),
  /** A task of that account changed on the server (realtime): lists showing it reload. */
  Type.Object({ type: Type.Literal('tasks-changed'), accountId: AccountId }),
  /** A chat of that account changed in a way the core could not apply (a chat joined or left, a gap after an absence): the chat list and that dialog reload. */
  Type.Object({ type: Type.Literal('chats-changed'), accountId: AccountId, dialogId: Type.Optional(Type.String()) }),
  /** A chat of that account changed and the core applied it: windows apply the same, with no request back. */
  Type.Object({ type: Type.Literal('chat-delta'), accountId: AccountId, ...ChatDelta.properties }),
  /** A message came to a chat the user is not looking at: one window shows a system notification. */
  Type.Object({
    type: Type.Literal('notify'),
    accountId: AccountId,
    dialogId: Type.String(),
    title: Type.String(),
    body: Type.String(),
    /** Shown without the system's sound (Settings: sound off). */
    silent: Type.Optional(Type.Boolean()),
  }),
  /** Show this chat in the Messenger (a notification was clicked). */
  Type.Object({ type: Type.Literal('open-chat'), accountId: AccountId, dialogId: Type.String() }),
]);
export type BridgeEvent = Static<typeof BridgeEvent>;

export const BRIDGE_EVENTS_PATH = '/api/events';
/** The app's two windows; the events socket names its window in `?window=`. */
export type WindowKind = 'workspace' | 'messenger';
export const BRIDGE_COOKIE = 'multidesk_bridge';

/** Performance mark the Workspace sets in the frame its first account tab paints (bench/desktop reads it). */
export const FIRST_TAB_MARK = 'multidesk:first-tab-painted';
