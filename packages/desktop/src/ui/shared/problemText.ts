import type { SavedCopyReason } from '@multidesk/protocol/bridge';
import { IM_MESSAGE_MAX_LENGTH } from '@multidesk/protocol/im';
import { t } from '../i18n/i18n.ts';
import { formatNumber } from './format.ts';

/**
 * The core reports trouble as codes; these are its words in the windows' language. Called while
 * rendering, so a language switch says them again in the new one.
 */

/** Why the saved copy is shown, or what is wrong with an account's portal. */
export function problemText(problem: SavedCopyReason): string {
  switch (problem.code) {
    case 'unreachable':
      return t('problem.unreachable');
    case 'portal_error':
      return t('problem.portalError', { detail: problem.detail });
    case 'disconnected':
      return t('account.disconnected');
    case 'needs_login':
      return t('account.needsLogin');
    case 'connecting':
      return t('account.connecting');
    case 'updating':
      return t('problem.updating');
  }
}

/** What an action was refused with: `{ ok: false, error, message }` from the core. */
export interface Refusal {
  error: string;
  /** The core's own words (English), or the portal's for a code only the portal knows. */
  message: string;
}

/**
 * Our words for the refusals the core makes itself (an empty message, an account not connected, the
 * portal out of reach), and for Bitrix24's ACCESS_DENIED in a chat (`about`: the chat, or one of
 * its messages, edited or deleted). Any other code is the portal's, and so are its words: they are
 * shown as they came.
 */
export function refusalText(refusal: Refusal, about?: 'chat' | 'message'): string {
  switch (refusal.error) {
    case 'MESSAGE_EMPTY':
      return t('refusal.messageEmpty');
    case 'MESSAGE_TOO_LONG':
      return t('refusal.messageTooLong', { max: formatNumber(IM_MESSAGE_MAX_LENGTH) });
    case 'ACCESS_DENIED':
      if (about === undefined) return refusal.message;
      return about === 'message' ? t('refusal.notYourMessage') : t('refusal.notAMember');
    case 'not_connected':
      return t('refusal.notConnected');
    case 'not_found':
      return t('refusal.noLongerWaiting');
    case 'sending':
      return t('refusal.beingSent');
    case 'unreachable':
      return t('refusal.unreachable');
    case 'portal_error':
      return t('problem.portalError', { detail: refusal.message });
    default:
      return refusal.message;
  }
}
