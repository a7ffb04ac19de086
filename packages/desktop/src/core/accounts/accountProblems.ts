import type { AccountView, PortalProblem, SavedCopyReason } from '@multidesk/protocol';
import { PortalUnreachableError } from '../portal/portalHttp.ts';

/**
 * What the core tells the windows about an account's trouble is a code (and the portal's own words
 * where it has some), never a sentence of ours: the windows word it in the language they speak, and
 * say it again in another when the user switches.
 */

/** A request that failed for a reason other than the sign-in (see AccountManager's `reportProblem`). */
export function portalProblemOf(error: unknown): PortalProblem {
  return error instanceof PortalUnreachableError ? { code: 'unreachable' } : { code: 'portal_error', detail: (error as Error).message };
}

/**
 * Why a window gets the saved copy: the account's state first (nothing is asked of the portal then),
 * else the problem its request just met, if any.
 */
export function savedCopyReason(view: Pick<AccountView, 'state'>, problem: PortalProblem | undefined): SavedCopyReason | undefined {
  if (view.state === 'disconnected') return { code: 'disconnected' };
  if (view.state === 'needs_login') return { code: 'needs_login' };
  return problem;
}

/** An action's answer when its request met `problem` (undefined: the sign-in was lost meanwhile, which the account shows itself). */
export function requestFailure(problem: PortalProblem | undefined): { ok: false; error: PortalProblem['code']; message: string } {
  return problem?.code === 'portal_error'
    ? { ok: false, error: 'portal_error', message: problem.detail }
    : { ok: false, error: 'unreachable', message: 'The portal could not be reached.' };
}
