import { type Static, type TSchema, Type } from 'typebox';

/**
 * The contract between the desktop UI (browser) and the desktop core (Node): every route, its
 * request and its response, declared once. The core validates each request against it before a
 * handler runs; the UI's client is typed from it.
 */

export const AccountState = Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('needs_login')]);
export type AccountState = Static<typeof AccountState>;

export const AccountView = Type.Object({
  id: Type.String(),
  portalUrl: Type.String(),
  portalTitle: Type.String(),
  userId: Type.Integer(),
  userName: Type.String(),
  login: Type.String(),
  state: AccountState,
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
  connect: route('/api/accounts/connect', AccountRef, Ok),
  disconnect: route('/api/accounts/disconnect', AccountRef, Ok),
  remove: route('/api/accounts/delete', AccountRef, Ok),
  home: route('/api/accounts/home', AccountRef, HomeView),
} as const;

export type BridgeApi = typeof bridgeApi;
export type BridgeMethod = keyof BridgeApi;
export type BridgeRequest<M extends BridgeMethod> = Static<BridgeApi[M]['request']>;
export type BridgeResponse<M extends BridgeMethod> = Static<BridgeApi[M]['response']>;

/** Events pushed from the core over the bridge WebSocket. */
export type BridgeEvent = { type: 'state'; state: AppState } | { type: 'home-changed'; accountId: string };

export const BRIDGE_EVENTS_PATH = '/api/events';
export const BRIDGE_COOKIE = 'multidesk_bridge';
