import type { TokenResponse } from '@multidesk/protocol';

/** An OAuth pair (Multidesk's own sign-in): the access token is refreshed with the refresh token. */
export interface StoredTokens {
  kind: 'tokens';
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

/**
 * A Bitrix24 app's pair: refreshed at the token server its authorization named (`server_domain`,
 * oauth.bitrix.info for real portals) with the app's client id and secret.
 */
export interface StoredAppTokens extends Omit<StoredTokens, 'kind'> {
  kind: 'app';
  clientId: string;
  clientSecret: string;
  /** `https://<server_domain>/oauth/token/` */
  tokenUrl: string;
}

/** An inbound webhook: calls go to `/rest/<userId>/<code>/<method>`; nothing expires or rotates. */
export interface StoredWebhook {
  kind: 'webhook';
  userId: number;
  code: string;
}

/** What the vault holds for one account: the only place an account's secrets live. */
export type StoredCredential = StoredTokens | StoredAppTokens | StoredWebhook;

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
  if (value.kind === 'app') return value as StoredAppTokens;
  return { ...(value as Omit<StoredTokens, 'kind'>), kind: 'tokens' };
}

export const serializeCredential = (credential: StoredCredential): string => JSON.stringify(credential);

/**
 * The refresh token Delete must revoke on the portal: Multidesk's own sign-in only. A webhook is
 * deleted in Bitrix24, and Bitrix24 offers apps no revocation (the app is uninstalled there).
 */
export function refreshTokenOf(text: string | null): string | null {
  if (text === null) return null;
  const credential = parseCredential(text);
  return credential.kind === 'tokens' ? credential.refreshToken : null;
}
