import { EventEmitter } from 'node:events';
import { copyFile, readFile } from 'node:fs/promises';
import { type Settings, type SettingsNotice, WindowBounds } from '@multidesk/protocol';
import { Value } from 'typebox/value';
import { writeFileAtomic } from './atomicFile.ts';

/** The version written now; older files are migrated when read. */
export const SETTINGS_VERSION = 2;

export const DEFAULT_SETTINGS: Settings = {
  networkUrl: 'http://localhost:8024',
  notifications: true,
  mutedAccounts: [],
  sound: true,
  startAtLogin: false,
  language: 'system',
  vault: 'keyring',
  windows: {},
};

const defaults = (): Settings => structuredClone(DEFAULT_SETTINGS);

type Fields = Record<string, unknown>;

const isPort = (port: unknown): port is number => typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536;

/**
 * Reads one field after another, so a field a hand edit broke takes its default and the rest stay.
 * Version 1 had only `networkUrl` and `appRedirectPort`: its file reads as version 2 with defaults.
 */
function fromFields(fields: Fields): Settings {
  const settings = defaults();
  if (typeof fields.networkUrl === 'string') settings.networkUrl = fields.networkUrl;
  if (isPort(fields.appRedirectPort)) settings.appRedirectPort = fields.appRedirectPort;
  for (const key of ['notifications', 'sound', 'startAtLogin'] as const) {
    if (typeof fields[key] === 'boolean') settings[key] = fields[key];
  }
  if (Array.isArray(fields.mutedAccounts)) settings.mutedAccounts = fields.mutedAccounts.filter((id) => typeof id === 'string');
  if (fields.language === 'en' || fields.language === 'ru' || fields.language === 'system') settings.language = fields.language;
  if (fields.vault === 'keyring' || fields.vault === 'file') settings.vault = fields.vault;
  const windows = typeof fields.windows === 'object' && fields.windows !== null ? (fields.windows as Fields) : {};
  for (const kind of ['workspace', 'messenger'] as const) {
    if (Value.Check(WindowBounds, windows[kind])) settings.windows[kind] = windows[kind];
  }
  return settings;
}

/**
 * The user's choices that are not accounts (the network server's address, the apps' loopback port,
 * notifications, language, start at login, where sign-ins are kept, windows' places), kept in the
 * profile. A file that cannot be read gives the defaults, and says so (`notice`), keeping a copy
 * of it beside (`settings.json.unreadable`); a missing file is a first start, not a problem.
 * Nothing else in the profile depends on it, so accounts and their sign-ins are untouched.
 */
export class SettingsStore extends EventEmitter<{ changed: [] }> {
  readonly #file: string;
  #settings: Settings = defaults();
  #notice: SettingsNotice | undefined;
  /** Writes one after another, the last one winning. */
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    super();
    this.#file = file;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      this.#settings = defaults();
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#notice = 'reset';
      return;
    }
    const parsed = parse(text);
    if (parsed && (parsed.version === 1 || parsed.version === SETTINGS_VERSION)) {
      this.#settings = fromFields(parsed);
      return;
    }
    this.#settings = defaults();
    this.#notice = 'reset';
    await copyFile(this.#file, `${this.#file}.unreadable`).catch(() => undefined);
  }

  get(): Settings {
    return structuredClone(this.#settings);
  }

  /** Set when the file could not be read and the defaults are used; cleared by `dismissNotice`. */
  get notice(): SettingsNotice | undefined {
    return this.#notice;
  }

  dismissNotice(): void {
    if (this.#notice === undefined) return;
    this.#notice = undefined;
    this.emit('changed');
  }

  /** Changes the fields given, keeps the rest, writes the file and tells listeners. */
  async update(patch: Partial<Settings>): Promise<void> {
    this.#settings = { ...this.#settings, ...structuredClone(patch) };
    const content = JSON.stringify({ version: SETTINGS_VERSION, ...this.#settings }, null, 2);
    const write = this.#writing.then(() => writeFileAtomic(this.#file, content));
    this.#writing = write.catch(() => undefined);
    // A window's place changes as it is dragged; nobody shows it, so nobody hears of it.
    if (Object.keys(patch).some((key) => key !== 'windows')) this.emit('changed');
    await write;
  }
}

function parse(text: string): (Fields & { version?: unknown }) | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : null;
  } catch {
    return null;
  }
}
