import { type Static, Type } from 'typebox';

/** The languages the windows speak. */
export const Locale = Type.Union([Type.Literal('en'), Type.Literal('ru')]);
export type Locale = Static<typeof Locale>;

/** The chosen language: the system's (`LC_ALL`, `LC_MESSAGES`, `LANG`, read by the core) or a fixed one. */
export const Language = Type.Union([Type.Literal('system'), Locale]);
export type Language = Static<typeof Language>;

/** Why the settings are not what the user last chose: `reset` (the file could not be read; defaults are used, a copy of it is kept). */
export const SettingsNotice = Type.Literal('reset');
export type SettingsNotice = Static<typeof SettingsNotice>;
