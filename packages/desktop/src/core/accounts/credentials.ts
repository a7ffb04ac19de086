import type { TokenResponse } from '@multidesk/protocol';

/** An OAuth pair (Multidesk's own sign-in): the access token is refreshed with the refresh token. */
export interface StoredTokens {
  kind: 'tokens';
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

/** An inbound webhook: calls go to `/rest/<userId>/<code>/<method>`; nothing expires or rotates. */
export interface StoredWebhook {
  kind: 'webhook';
  userId: number;
  code: string;
}

/** What the vault holds for one account: the only place an account's secrets live. */
export type StoredCredential = StoredTokens | StoredWebhook;

export function tokensFromResponse(response: TokenResponse, now: number): StoredTokens {
  return {
    kind: 'tokens',
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresAt: now + response.expires_in * 1000,
  };
}

/** Reads a vault entry; entries written before webhooks existed are token pairs without `kind`. */
export function parseCredential(text: string): StoredCredential {
  const value = JSON.parse(text) as Partial<StoredCredential>;
  if (value.kind === 'webhook') return value as StoredWebhook;
  return { ...(value as Omit<StoredTokens, 'kind'>), kind: 'tokens' };
}

export const serializeCredential = (credential: StoredCredential): string => JSON.stringify(credential);

/** The refresh token Delete must revoke on the server; a webhook has none (it is deleted in Bitrix24). */
export function refreshTokenOf(text: string | null): string | null {
  if (text === null) return null;
  const credential = parseCredential(text);
  return credential.kind === 'tokens' ? credential.refreshToken : null;
}
