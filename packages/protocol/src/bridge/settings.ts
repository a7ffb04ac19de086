import { type Static, Type } from 'typebox';
import { Language, Locale, SettingsNotice } from './locale.ts';
import { SignInFailure } from './signIn.ts';

/** The user's choices that are not accounts. */

export { Language, Locale, SettingsNotice } from './locale.ts';

/** Where sign-ins are kept: the system keychain, or a 0600 file in the profile (readable by anyone with this user account). */
export const VaultChoice = Type.Union([Type.Literal('keyring'), Type.Literal('file')]);
export type VaultChoice = Static<typeof VaultChoice>;

/** A window's place on screen, in screen pixels, as Chromium's `Browser.getWindowBounds` gives it. */
export const WindowBounds = Type.Object({
  left: Type.Integer(),
  top: Type.Integer(),
  width: Type.Integer({ minimum: 200, maximum: 20_000 }),
  height: Type.Integer({ minimum: 150, maximum: 20_000 }),
  maximized: Type.Optional(Type.Boolean()),
});
export type WindowBounds = Static<typeof WindowBounds>;

export const Settings = Type.Object({
  /** The network server that lists a login's Bitrix24s; remembered across restarts. */
  networkUrl: Type.String(),
  /**
   * The loopback port of Bitrix24 apps' handler URL (`http://127.0.0.1:<port>/callback`): fixed per
   * profile, since an app registers one URL. Chosen on first use unless `--oauth-redirect-port` names it.
   */
  appRedirectPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  /** System notifications for new messages, for every account at once. */
  notifications: Type.Boolean(),
  /** Accounts (by id) whose messages raise no notification while `notifications` is on. */
  mutedAccounts: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }),
  /** Notifications make the system's sound; off, they are shown silent. */
  sound: Type.Boolean(),
  /** An XDG autostart entry starts Multidesk when the user logs in. */
  startAtLogin: Type.Boolean(),
  language: Language,
  /** Where sign-ins are kept from the next start on (`--vault` overrides it for one run). */
  vault: VaultChoice,
  /** Each window's last place, reused when it opens again. */
  windows: Type.Object({ workspace: Type.Optional(WindowBounds), messenger: Type.Optional(WindowBounds) }),
});
export type Settings = Static<typeof Settings>;

/** What the Settings screen may change; each field given is changed, the rest kept. */
export const SettingsPatch = Type.Partial(
  Type.Object({
    notifications: Settings.properties.notifications,
    mutedAccounts: Settings.properties.mutedAccounts,
    sound: Settings.properties.sound,
    startAtLogin: Settings.properties.startAtLogin,
    language: Language,
    vault: VaultChoice,
  }),
  { additionalProperties: false },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

/** The Settings screen's view: the choices, and what they amount to now. */
export const SettingsView = Type.Object({
  settings: Settings,
  /** The language the system asks for (unknown locales are English). */
  systemLocale: Locale,
  /** Where sign-ins are kept in this run (it changes at the next start when `settings.vault` differs). */
  vaultInUse: Type.Union([Type.Literal('keyring'), Type.Literal('memory'), Type.Literal('file')]),
  /** Where the autostart entry is written. */
  autostartFile: Type.String(),
  notice: Type.Optional(SettingsNotice),
  /** Writing the autostart entry failed: why. */
  problem: Type.Optional(Type.String()),
});
export type SettingsView = Static<typeof SettingsView>;

export const SetNetworkUrlRequest = Type.Object({ networkUrl: Type.String({ minLength: 1, maxLength: 300 }) });

export const SettingsResult = Type.Union([Type.Object({ ok: Type.Literal(true), settings: Settings }), Type.Object({ ...SignInFailure })]);
