import type { AccountState, AccountView, Person } from '@multidesk/protocol/bridge';
import { dateTimeFormat, numberFormat } from '../i18n/formatters.ts';
import { t } from '../i18n/i18n.ts';

/** "Anna Smirnova" → "AS"; "anna@example.com" → "A". */
export function initials(name: string): string {
  const words = name
    .replace(/@.*$/, '')
    .split(/[\s._-]+/)
    .filter((w) => w !== '');
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.slice(0, 1);
  const result = letters.map((w) => Array.from(w ?? '')[0]?.toUpperCase() ?? '').join('');
  return result || '?';
}

export function personName(person: Person): string {
  return nameOrUser([person.name, person.lastName].filter((p) => p.trim() !== '').join(' ') || person.email, person.id);
}

/** A name the core left empty because the portal gave none: "User 12" in the window's language ('' for no one, id 0). */
export function nameOrUser(name: string, id: number): string {
  return name || (id ? t('people.user', { id }) : '');
}

/** "https://acme.bitrix24.com/" → "acme.bitrix24.com". */
export function addressOf(portalUrl: string): string {
  return portalUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

/**
 * What to put in the address field to reach `portalUrl` again: the bare host when the scheme is the
 * one a bare host gets anyway (https, or http on loopback), else the whole origin.
 */
export function addressForSignIn(portalUrl: string): string {
  const match = /^(https?):\/\/([^/]+)\/?$/i.exec(portalUrl);
  if (!match) return portalUrl;
  const [, scheme, host = ''] = match;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const loopback = hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.startsWith('127.') || hostname === '[::1]';
  return (scheme?.toLowerCase() === 'https') !== loopback ? host : portalUrl;
}

export function stateInWords(state: AccountState): string {
  switch (state) {
    case 'connected':
      return t('account.connected');
    case 'disconnected':
      return t('account.disconnected');
    case 'needs_login':
      return t('account.needsLogin');
  }
}

/** The state, and for a connected account how its live link is doing. */
export function statusInWords(account: Pick<AccountView, 'state' | 'connection'>): string {
  if (account.state !== 'connected') return stateInWords(account.state);
  if (account.connection === 'reconnecting') return t('account.reconnecting');
  if (account.connection === 'connecting') return t('account.connecting');
  if (account.connection === 'polling') return t('account.polling');
  return stateInWords(account.state);
}

/** A time from the core (epoch milliseconds; epoch seconds are accepted too), in the chosen language. */
export function formatTime(epoch: number): string {
  const date = new Date(epoch < 1e12 ? epoch * 1000 : epoch);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? dateTimeFormat('time').format(date) : dateTimeFormat('dateTime').format(date);
}

/** For narrow columns (the chat list): today's time, else the day, with the year only when it is not this one. */
export function formatShortTime(epoch: number): string {
  const date = new Date(epoch < 1e12 ? epoch * 1000 : epoch);
  const now = new Date();
  const style = date.toDateString() === now.toDateString() ? 'time' : date.getFullYear() === now.getFullYear() ? 'day' : 'dayAndYear';
  return dateTimeFormat(style).format(date);
}

/** A badge's count: "99+" past 99, digits grouped as the language does. */
export function unreadLabel(count: number): string {
  return count > 99 ? '99+' : formatNumber(count);
}

export function formatNumber(value: number): string {
  return numberFormat().format(value);
}

/** "(3) Multidesk": the total unread count across accounts leads the window title, as mail and chat apps do. */
export function windowTitle(base: string, totalUnread: number): string {
  return totalUnread > 0 ? `(${unreadLabel(totalUnread)}) ${base}` : base;
}
