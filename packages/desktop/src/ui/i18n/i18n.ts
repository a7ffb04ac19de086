import type { Locale } from '@multidesk/protocol/bridge';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json' with { type: 'json' };
import ru from './ru.json' with { type: 'json' };

/**
 * Every string the windows show comes from one catalogue per language (en.json, ru.json), through
 * i18next: plurals by Intl.PluralRules (`_one`, `_few`, `_many`, `_other`), so Russian says
 * "1 сообщение", "2 сообщения", "5 сообщений". The core tells the language (the chosen one or the
 * system's) in the app state; English until it does, and for anything it does not know.
 */
export const LOCALES: readonly Locale[] = ['en', 'ru'];

/** The language the last window spoke, so the next one starts in it before the core says (no English flash). */
const REMEMBERED = 'multidesk-locale';

function remembered(): Locale {
  try {
    return globalThis.localStorage?.getItem(REMEMBERED) === 'ru' ? 'ru' : 'en';
  } catch {
    return 'en';
  }
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru } },
  lng: remembered(),
  fallbackLng: 'en',
  supportedLngs: LOCALES,
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** Outside React (formatters, store messages): the current language's text for `key`. */
export const t = i18n.t.bind(i18n);

/** The language the windows speak now: also the locale of every date and number (Intl). */
export function currentLocale(): Locale {
  return i18n.language === 'ru' ? 'ru' : 'en';
}

/** The language last set: the state comes with every unread count, and says the same language almost always. */
let lastSet: Locale | null = null;

/** Switches every string and date to `locale`; anything unknown is English. */
export function setLocale(locale: string | undefined): void {
  const next: Locale = locale === 'ru' ? 'ru' : 'en';
  if (next === lastSet && i18n.language === next) return;
  lastSet = next;
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  try {
    globalThis.localStorage?.setItem(REMEMBERED, next);
  } catch {
    // No storage (tests in Node): the state says the language soon enough.
  }
  if (i18n.language !== next) void i18n.changeLanguage(next);
}
