import type { Language, Locale } from '@multidesk/protocol';

/**
 * The language the system asks for, as POSIX programs read it: `LC_ALL`, else `LC_MESSAGES`, else
 * `LANG` (`ru_RU.UTF-8` → ru). Anything Multidesk does not speak (`C`, `POSIX`, `de_DE`, unset) is English.
 */
export function systemLocale(env: NodeJS.ProcessEnv = process.env): Locale {
  const value = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return /^ru([_.@-]|$)/i.test(value) ? 'ru' : 'en';
}

/** The language the windows speak: the chosen one, or the system's. */
export function resolveLocale(language: Language, system: Locale): Locale {
  return language === 'system' ? system : language;
}
