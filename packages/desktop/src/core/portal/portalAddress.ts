/** What a sign-in answers when `normalizePortalAddress` refuses a Bitrix24's address. */
export const INVALID_PORTAL_ADDRESS = {
  ok: false,
  error: 'invalid_address',
  message: 'Enter an address like acme.bitrix24.com.',
} as const;

/** The same for the network's address. */
export const INVALID_NETWORK_ADDRESS = {
  ok: false,
  error: 'invalid_address',
  message: 'Enter the network address, like localhost:8024.',
} as const;

/**
 * Turns what a person types into a portal origin: `acme.localhost:8024`, `http://…`, `https://…`,
 * with or without a trailing slash or path. Without a scheme, loopback hosts get http and
 * everything else https (real Bitrix24 portals are https only).
 */
export function normalizePortalAddress(text: string): { ok: true; origin: string } | { ok: false } {
  const trimmed = text.trim();
  if (!trimmed || /\s/.test(trimmed)) return { ok: false };
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  if (hasScheme && !/^https?:\/\//i.test(trimmed)) return { ok: false };
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`);
  } catch {
    return { ok: false };
  }
  if (url.username || url.password) return { ok: false };
  const host = url.hostname.toLowerCase();
  if (!/^[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/.test(host) || (!host.includes('.') && host !== 'localhost' && !host.startsWith('['))) {
    return { ok: false };
  }
  if (!hasScheme && isLoopback(host)) url.protocol = 'http:';
  return { ok: true, origin: url.origin };
}

/** This machine: plain http cannot be overheard here. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '[::1]';
}
