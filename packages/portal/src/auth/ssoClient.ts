import * as oidc from 'openid-client';
import type { SsoSettings } from '../store/schema.ts';

/** How long a discovered issuer (its metadata and signing keys) is reused before asking again. */
export const DISCOVERY_TTL_MS = 5 * 60_000;

/** Network calls to the identity provider give up after this long. */
const TIMEOUT_SECONDS = 10;

export const SSO_SCOPE = 'openid email profile';

/** Why talking to the identity provider failed, in words a page can show. */
export class SsoProviderError extends Error {
  readonly kind: 'unreachable' | 'unverified';
  constructor(kind: 'unreachable' | 'unverified', message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** What the portal learns about the person from a verified answer. */
export interface SsoIdentityClaims {
  /** The discovered issuer identifier, exactly as the ID token carries it. */
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  givenName: string | undefined;
  familyName: string | undefined;
}

interface Discovered {
  key: string;
  metadata: oidc.ServerMetadata;
  jwks: oidc.ExportedJWKSCache | undefined;
  expiresAt: number;
}

function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  return err instanceof TypeError && err.message === 'fetch failed';
}

/**
 * Turns openid-client's errors into the two things a user can be told: the provider could not be
 * reached, or its answer could not be verified (wrong issuer, audience, nonce, signature, expiry,
 * a refused code...). The cause stays on the error for the log.
 */
export function classifyProviderError(err: unknown): SsoProviderError {
  if (err instanceof SsoProviderError) return err;
  if (isNetworkFailure(err)) return new SsoProviderError('unreachable', 'The identity provider could not be reached.', { cause: err });
  return new SsoProviderError('unverified', "The identity provider's answer could not be verified.", { cause: err });
}

/**
 * The portal as an OpenID Connect relying party, one configuration per portal. Discovery (metadata
 * and signing keys) is cached per portal for a few minutes; changing the settings changes the key
 * and so discovers again. Each use gets a fresh openid-client Configuration built from the cache,
 * which lets it judge token times by the portal's clock.
 */
export class RelyingParties {
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #discovered = new Map<number, Discovered>();

  constructor(now: () => number, ttlMs = DISCOVERY_TTL_MS) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  async #discover(settings: SsoSettings): Promise<Discovered> {
    const key = JSON.stringify([settings.issuer, settings.client_id, settings.client_secret]);
    const cached = this.#discovered.get(settings.portal_id);
    if (cached && cached.key === key && cached.expiresAt > this.#now()) return cached;
    const insecure = new URL(settings.issuer).protocol === 'http:';
    try {
      const found = await oidc.discovery(new URL(settings.issuer), settings.client_id, settings.client_secret, undefined, {
        timeout: TIMEOUT_SECONDS,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      const entry = { key, metadata: { ...found.serverMetadata() }, jwks: undefined, expiresAt: this.#now() + this.#ttlMs };
      this.#discovered.set(settings.portal_id, entry);
      return entry;
    } catch (err) {
      throw classifyProviderError(err);
    }
  }

  /** A ready client for these settings (discovering the issuer when the cache has none). */
  async configuration(settings: SsoSettings): Promise<{ config: oidc.Configuration; remember: () => void }> {
    const discovered = await this.#discover(settings);
    const methods = discovered.metadata.token_endpoint_auth_methods_supported;
    // client_secret_basic is the registration default; use post only where basic is not offered.
    const auth =
      methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
        ? oidc.ClientSecretPost(settings.client_secret)
        : oidc.ClientSecretBasic(settings.client_secret);
    const config = new oidc.Configuration(
      discovered.metadata,
      settings.client_id,
      { [oidc.clockSkew]: Math.round((this.#now() - Date.now()) / 1000) },
      auth,
    );
    config.timeout = TIMEOUT_SECONDS;
    if (new URL(settings.issuer).protocol === 'http:') oidc.allowInsecureRequests(config);
    // Verify ID token signatures against the provider's keys too, not only its TLS (which plain
    // http, fine for a local demo provider, does not have).
    oidc.enableNonRepudiationChecks(config);
    if (discovered.jwks) oidc.setJwksCache(config, discovered.jwks);
    return {
      config,
      remember: () => {
        discovered.jwks = oidc.getJwksCache(config) ?? discovered.jwks;
      },
    };
  }

  forget(portalId: number): void {
    this.#discovered.delete(portalId);
  }
}

/** The authorization request: code flow, PKCE S256, state and nonce. */
export async function authorizationUrl(
  config: oidc.Configuration,
  input: { redirectUri: string; state: string; nonce: string; codeVerifier: string },
): Promise<URL> {
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: SSO_SCOPE,
    response_type: 'code',
    state: input.state,
    nonce: input.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(input.codeVerifier),
    code_challenge_method: 'S256',
  });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The callback: checks the authorization response (state, issuer), exchanges the code with the
 * PKCE verifier, validates the ID token (issuer, audience, expiry, nonce, signature) and, where the
 * ID token carries no e-mail, asks the userinfo endpoint for it (same subject required).
 */
export async function redeemCallback(
  config: oidc.Configuration,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<SsoIdentityClaims> {
  try {
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new Error('no ID token in the token response');
    let claims: Record<string, unknown> = idToken;
    if (optionalString(idToken.email) === undefined && config.serverMetadata().userinfo_endpoint) {
      claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
    }
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      email: optionalString(claims.email)?.toLowerCase(),
      emailVerified: claims.email_verified === true,
      givenName: optionalString(claims.given_name),
      familyName: optionalString(claims.family_name),
    };
  } catch (err) {
    throw classifyProviderError(err);
  }
}
