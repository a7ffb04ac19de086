import type { AccountView } from '@multidesk/protocol/bridge';
import { t } from '../i18n/i18n.ts';

/** A tab of the Workspace strip: My tasks (always first), an open account, or a "New tab" with the sign-in page. */
export type Tab =
  | { kind: 'my-tasks'; key: string }
  | { kind: 'account'; key: string; account: AccountView }
  | { kind: 'pending'; key: string };

export const MY_TASKS_KEY = 'my-tasks';

export const accountKey = (accountId: string): string => `a:${accountId}`;

/** Accounts that have a tab: live ones, and those waiting for a sign-in (marked). */
export function hasTab(account: AccountView): boolean {
  return account.state === 'connected' || account.state === 'needs_login';
}

export function tabAccessibleName(account: AccountView): string {
  let name = `${account.portalTitle} — ${account.userName}`;
  if (account.state === 'needs_login') name += `, ${t('tabs.nameNeedsLogin')}`;
  if (account.connection === 'reconnecting') name += `, ${t('tabs.nameReconnecting')}`;
  if (account.unread > 0) name += `, ${t('unread.short', { count: account.unread })}`;
  return name;
}

/** A DOM id from any key: ids are unrestricted strings, but aria-labelledby splits on spaces. */
export function domId(prefix: string, key: string): string {
  return `${prefix}-${key.replace(/[^A-Za-z0-9_-]/g, (ch) => `_${ch.codePointAt(0)?.toString(16)}`)}`;
}

/** The tab to select when the tab at `index` of `before` is gone: the one before it, else the one after. */
export function neighbourAfterRemoval(before: readonly string[], index: number, after: readonly string[]): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const key = before[i];
    if (key !== undefined && after.includes(key)) return key;
  }
  for (let i = index + 1; i < before.length; i++) {
    const key = before[i];
    if (key !== undefined && after.includes(key)) return key;
  }
  return after[0] ?? null;
}
