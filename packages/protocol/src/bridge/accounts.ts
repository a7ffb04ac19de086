import { type Static, Type } from 'typebox';
import { Locale, SettingsNotice } from './locale.ts';

/** The accounts as both windows see them: their states, kinds, homes and people. */

export const AccountState = Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('needs_login')]);
export type AccountState = Static<typeof AccountState>;

/**
 * How an account gets in: Multidesk's own sign-in (address and password, network, QR, SSO), an
 * inbound webhook pasted from Bitrix24, or a Bitrix24 app's keys. Both windows treat them alike.
 */
export const AccountKind = Type.Union([Type.Literal('sign-in'), Type.Literal('webhook'), Type.Literal('app')]);
export type AccountKind = Static<typeof AccountKind>;

/**
 * What went wrong between a connected account and its portal, for the windows to say in their own
 * language: the portal cannot be reached (requests are retried), or it answered with an error
 * (`detail`: the portal's own words, which no catalogue has).
 */
export const PortalProblem = Type.Union([
  Type.Object({ code: Type.Literal('unreachable') }),
  Type.Object({ code: Type.Literal('portal_error'), detail: Type.String() }),
]);
export type PortalProblem = Static<typeof PortalProblem>;

/**
 * Why what a window shows is the saved copy: a problem with the portal, an account that is
 * disconnected or needs a sign-in, or the fresh copy still on its way (the live link connecting,
 * a list being updated).
 */
export const SavedCopyReason = Type.Union([
  PortalProblem,
  Type.Object({
    code: Type.Union([Type.Literal('disconnected'), Type.Literal('needs_login'), Type.Literal('connecting'), Type.Literal('updating')]),
  }),
]);
export type SavedCopyReason = Static<typeof SavedCopyReason>;

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
  problem: Type.Optional(PortalProblem),
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
  /** The language the windows speak (the chosen one, or the system's); English when absent. */
  locale: Type.Optional(Locale),
  /** Said in the Workspace until the Settings screen has been seen: the settings file could not be read. */
  settingsNotice: Type.Optional(SettingsNotice),
});
export type AppState = Static<typeof AppState>;

/** An account's id: every route about one account names it so. */
export const AccountId = Type.String({ minLength: 1, maxLength: 64 });

export const AccountRef = Type.Object({ id: AccountId });
export type AccountRef = Static<typeof AccountRef>;

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
  problem: Type.Optional(SavedCopyReason),
});
export type HomeView = Static<typeof HomeView>;

export const Ok = Type.Object({ ok: Type.Literal(true) });
