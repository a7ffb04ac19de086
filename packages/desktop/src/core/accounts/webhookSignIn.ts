import type { SignInResult } from '@multidesk/protocol';
import type { Dispatcher } from 'undici';
import { PortalUnreachableError, portalRequest } from '../portal/portalHttp.ts';
import { webhookMethodUrl } from '../portal/portalSession.ts';
import { parseWebhookUrl } from '../portal/webhookUrl.ts';
import { accountHolder, type BitrixProfile } from './accountHolder.ts';
import type { NewAccount } from './accountManager.ts';
import { missingScopesOf } from './neededScopes.ts';

type Failure = Extract<SignInResult, { ok: false }>;

/**
 * Checks a pasted inbound webhook URL the way the account will use it: one `batch` of
 * `user.current`, `profile` and `scope` at the webhook's own address. The code is used for this
 * call and handed back only inside the new account's credential (for the vault).
 */
export async function checkWebhook(dispatcher: Dispatcher, url: string): Promise<{ ok: true; account: NewAccount } | Failure> {
  const parsed = parseWebhookUrl(url);
  if (!parsed.ok) return { ok: false, error: 'invalid_webhook', message: parsed.message };
  const { webhook } = parsed;
  const host = new URL(webhook.origin).host;
  let answer: Awaited<ReturnType<typeof portalRequest>>;
  try {
    answer = await portalRequest(dispatcher, webhookMethodUrl(webhook.origin, webhook, 'batch'), {
      json: { halt: 0, cmd: { user: 'user.current', profile: 'profile', scope: 'scope' } },
    });
  } catch (error) {
    if (error instanceof PortalUnreachableError) {
      return error.kind === 'unknown_address'
        ? { ok: false, error: 'unknown_address', message: `There is no Bitrix24 at ${host}.` }
        : { ok: false, error: 'unreachable', message: `${host} cannot be reached.` };
    }
    throw error;
  }
  const error = typeof answer.body?.error === 'string' ? answer.body.error : null;
  if (answer.status === 401 || error === 'INVALID_CREDENTIALS' || error === 'NO_AUTH_FOUND') {
    return {
      ok: false,
      error: 'invalid_credentials',
      message: `${host} did not accept this webhook: its code is wrong, or it was deleted or has expired.`,
    };
  }
  if (answer.status === 503 || answer.status === 429) {
    return { ok: false, error: 'server_error', message: `${host} is busy (too many requests). Try again in a few seconds.` };
  }
  const batch = answer.body?.result as { result?: Record<string, unknown>; result_error?: unknown } | undefined;
  const results = batch?.result;
  if (answer.status !== 200 || !results || typeof results !== 'object') {
    const description = answer.body?.error_description;
    const detail = error ? `: ${typeof description === 'string' && description ? description : error}` : '';
    return { ok: false, error: 'invalid_webhook', message: `${host} did not answer as Bitrix24 does (HTTP ${answer.status}${detail}).` };
  }
  // user.current needs a user scope; profile needs none: the name comes from whichever answered.
  const user = (results.user ?? results.profile ?? {}) as BitrixProfile;
  const scopes = Array.isArray(results.scope) ? results.scope.filter((s): s is string => typeof s === 'string') : [];
  return {
    ok: true,
    account: {
      origin: webhook.origin,
      kind: 'webhook',
      credential: { kind: 'webhook', userId: webhook.userId, code: webhook.code },
      portalTitle: host,
      userId: webhook.userId,
      ...accountHolder(user, webhook.userId),
      missingScopes: missingScopesOf(scopes),
    },
  };
}
