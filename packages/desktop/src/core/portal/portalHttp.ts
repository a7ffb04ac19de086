import type { Dispatcher } from 'undici';
import { fetch } from 'undici';

/** Why a portal could not be asked: the address does not exist, or it did not answer. */
export class PortalUnreachableError extends Error {
  readonly kind: 'unknown_address' | 'unreachable';
  constructor(kind: 'unknown_address' | 'unreachable', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface PortalResponse {
  status: number;
  body: Record<string, unknown> | null;
  headers: Headers;
}

/**
 * One request to a portal, JSON or form body, with the failure modes of the network mapped to
 * PortalUnreachableError so callers can tell "no such host" from "host down".
 */
export async function portalRequest(
  dispatcher: Dispatcher,
  url: string,
  init: { method?: string; json?: unknown; form?: Record<string, string>; signal?: AbortSignal },
): Promise<PortalResponse> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Multidesk' };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body: body ?? null,
      dispatcher,
      signal: init.signal ?? AbortSignal.timeout(20_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new PortalUnreachableError('unknown_address', 'the address does not exist');
    throw new PortalUnreachableError('unreachable', `the portal did not answer (${code ?? (error as Error).name})`);
  }
  const text = await response.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers as unknown as Headers };
}
