import http from 'node:http';
import { ApiVersion, B24Hook, B24OAuth, type B24OAuthParams, type LoggerInterface, type TypeB24 } from '@bitrix24/b24jssdk';
import { DESKTOP_CLIENT_ID, type TokenResponse } from '@multidesk/protocol';
import { localhostLookup } from './localhostDispatcher.ts';

/**
 * The official @bitrix24/b24jssdk set up against a test portal (used by the SDK tests). It talks
 * through axios, i.e. node:http, so *.localhost must resolve there too (the harness does it for fetch only).
 */
http.globalAgent = new http.Agent({ lookup: localhostLookup as never });

/** The SDK prints deprecation warnings through its default logger; this one keeps them. */
export function quietLogger(): LoggerInterface & { warnings: string[] } {
  const warnings: string[] = [];
  const none = async () => {};
  return {
    warnings,
    log: none,
    debug: none,
    info: none,
    notice: none,
    warning: async (message: string) => {
      warnings.push(message);
    },
    error: none,
    critical: none,
    alert: none,
    emergency: none,
  };
}

/** An SDK client over OAuth tokens from the portal's sign-in. */
export function oauthClient(tokens: TokenResponse): B24OAuth {
  const params: B24OAuthParams = {
    applicationToken: '',
    userId: tokens.user_id,
    memberId: tokens.member_id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expires: tokens.expires,
    expiresIn: tokens.expires_in,
    scope: tokens.scope,
    domain: tokens.domain,
    clientEndpoint: tokens.client_endpoint,
    serverEndpoint: tokens.server_endpoint,
    status: tokens.status as B24OAuthParams['status'],
  };
  const b24 = new B24OAuth(params, { clientId: DESKTOP_CLIENT_ID, clientSecret: '' });
  b24.setLogger(quietLogger());
  return b24;
}

/** An SDK client over an inbound webhook. Webhook addresses must be https for the SDK; locally the portal speaks http. */
export function hookClient(webhookUrl: string): TypeB24 {
  const b24 = B24Hook.fromWebhookUrl(webhookUrl.replace(/^http:/, 'https:'));
  b24.setLogger(quietLogger());
  b24.getHttpClient(ApiVersion.v2).ajaxClient.interceptors.request.use((config) => {
    if (config.url) config.url = config.url.replace(/^https:\/\//, 'http://');
    return config;
  });
  return b24;
}
