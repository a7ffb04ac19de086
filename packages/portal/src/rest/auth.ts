import { checkAccessToken, isAppClient } from '../auth/oauthTokens.ts';
import type { SecretHash } from '../auth/secrets.ts';
import type { PortalContext } from '../http/context.ts';
import type { Portal } from '../store/schema.ts';
import { RestFailure } from './envelope.ts';
import type { RestParams } from './params.ts';
import type { RestAuth } from './registry.ts';
import { findTokenHolder, findWebhookHolder, type PortalPerson } from './userDirectory.ts';

/** What a request presents: an inbound webhook in its path, or an access token. */
export type RestCredentials = { kind: 'webhook'; memberId: number; secret: string } | { kind: 'token'; token: string } | { kind: 'none' };

/** `auth=` or `access_token=` in the query or body (Bitrix24's ways), else `Authorization: Bearer`. */
export function readToken(params: RestParams, authorization: string | undefined): RestCredentials {
  const auth = params.auth ?? params.access_token;
  if (typeof auth === 'string' && auth !== '') return { kind: 'token', token: auth };
  if (auth !== undefined && auth !== '') return { kind: 'token', token: '' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return bearer ? { kind: 'token', token: bearer[1] as string } : { kind: 'none' };
}

type Identity = Omit<RestAuth, 'user'> & {
  /** When an access token expires (epoch ms); null for a webhook, which does not. */
  expiresAt: number | null;
  /** The member it acts for, read with the credential (a found token always has one). */
  holder: PortalPerson | undefined;
};

async function identify(
  ctx: PortalContext,
  portal: Portal,
  credentials: Exclude<RestCredentials, { kind: 'none' }>,
  secretHash: SecretHash,
): Promise<Identity> {
  switch (credentials.kind) {
    case 'webhook': {
      const webhook = await findWebhookHolder(ctx.db, portal.id, credentials.memberId, secretHash);
      if (!webhook) throw new RestFailure('INVALID_CREDENTIALS', 'Invalid request credentials');
      return { memberId: credentials.memberId, scopes: webhook.scopes.split(','), via: 'webhook', expiresAt: null, holder: webhook.holder };
    }
    case 'token': {
      const found = await findTokenHolder(ctx.db, secretHash);
      const check = checkAccessToken(found?.token, portal, ctx.now());
      if (!check.ok) throw new RestFailure(check.error, check.description);
      // An app's token is not the desktop's: Bitrix24 refuses some methods to OAuth apps (pull.config.get).
      return {
        memberId: check.memberId,
        scopes: check.scopes,
        via: isAppClient(check.clientId) ? 'app' : 'token',
        clientId: check.clientId,
        expiresAt: check.expiresAt,
        holder: found?.holder,
      };
    }
  }
}

/** What a credential authenticated as, kept in `ctx.credentialReads` while the database is unchanged. */
export interface CredentialRead {
  auth: RestAuth;
  expiresAt: number | null;
}

/** The key of a credential's read: its portal and `secretHash`, its secret's hash (the secret itself is not kept). */
export function credentialKey(portal: Portal, credentials: Exclude<RestCredentials, { kind: 'none' }>, secretHash: string): string {
  return credentials.kind === 'token' ? `${portal.id}:token:${secretHash}` : `${portal.id}:webhook:${credentials.memberId}:${secretHash}`;
}

/**
 * The member a REST request acts for. Credentials are valid only on the portal that issued them,
 * and only while the member is active there. A credential that authenticated a moment ago is
 * taken from memory while the database is unchanged (`ReadCache`: a revocation, a rotation, a
 * deactivation is a write and ends it) and its expiry has not come; refusals are never kept.
 */
export async function authenticate(ctx: PortalContext, portal: Portal, credentials: RestCredentials): Promise<RestAuth> {
  if (credentials.kind === 'none') throw new RestFailure('NO_AUTH_FOUND', 'Wrong authorization data');
  const secret = credentials.kind === 'token' ? credentials.token : credentials.secret;
  const secretHash = ctx.secretHashes.of(secret);
  const key = credentialKey(portal, credentials, secretHash);
  const kept = ctx.credentialReads.get(key);
  if (kept && (kept.expiresAt === null || kept.expiresAt > ctx.now())) return kept.auth;

  const version = ctx.credentialReads.version();
  const { expiresAt, holder: user, ...identity } = await identify(ctx, portal, credentials, secretHash);
  if (!user?.active) {
    const code = identity.via === 'webhook' ? 'INVALID_CREDENTIALS' : 'invalid_token';
    throw new RestFailure(code, 'The user of these credentials is not active on this Bitrix24.');
  }
  // Frozen: one read serves many requests, and none may change it for the others.
  const auth: RestAuth = Object.freeze({ ...identity, scopes: Object.freeze(identity.scopes), user: Object.freeze(user) });
  ctx.credentialReads.set(key, { auth, expiresAt }, version);
  ctx.secretHashes.keep(secret, secretHash);
  return auth;
}
