import { PullBody, type PullMessage } from './pull.ts';
import { matches } from './schemaCheck.ts';

/**
 * The two framings of Push & Pull messages: server version 4 and earlier wraps each message's
 * JSON in `#!NGINXNMS!#…#!NGINXNME!#` (several per frame); version 5 speaks JSON-RPC 2.0
 * (`incoming.message`, text `ping` / `pong`, `mack:<mid>` acknowledgements). Pure functions: the
 * portal encodes with them, the desktop parses with them.
 */

const START = '#!NGINXNMS!#';
const END = '#!NGINXNME!#';
const FRAMED = /#!NGINXNMS!#([\s\S]*?)#!NGINXNME!#/g;

/** One message as server version 4 frames it. `id` counts per channel, `mid` resumes after it. */
export interface NginxMessage {
  id: number;
  mid: string;
  channel: string;
  tag: string;
  time: string;
  text: PullBody;
}

export function encodeNginxMessages(messages: readonly NginxMessage[]): string {
  // JSON.stringify never emits a raw newline: the SDK's pattern has no `s` flag and needs one line.
  return messages.map((message) => `${START}${JSON.stringify(message)}${END}`).join('');
}

export interface ParsedFrames {
  messages: PullMessage[];
  /** Framed parts that were not JSON, or not a Pull message: skipped, and counted for the log. */
  malformed: number;
}

function pullMessage(
  value: unknown,
  midOf: (value: Record<string, unknown>) => unknown,
  bodyOf: (value: Record<string, unknown>) => unknown,
) {
  if (!value || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  const mid = midOf(record);
  const body = bodyOf(record);
  if ((typeof mid !== 'string' && typeof mid !== 'number') || !matches(PullBody, body)) return null;
  return { mid: String(mid), body };
}

/** Reads every `#!NGINXNMS!#…#!NGINXNME!#` message in a WebSocket frame or long-polling body. */
export function parseNginxFrames(text: string): ParsedFrames {
  const messages: PullMessage[] = [];
  let malformed = 0;
  for (const match of text.matchAll(FRAMED)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(match[1] as string);
    } catch {
      malformed += 1;
      continue;
    }
    const message = pullMessage(
      parsed,
      (r) => r.mid,
      (r) => r.text,
    );
    if (message) messages.push(message);
    else malformed += 1;
  }
  return { messages, malformed };
}

/** A version 5 `incoming.message` notification (the server sends one per message, or a batch). */
export function encodeJsonRpcIncoming(message: PullMessage, sender: { type: number; id: string } = { type: 2, id: '' }): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'incoming.message', params: { mid: message.mid, body: message.body, sender } });
}

export const JSON_RPC_PING = 'ping';
export const JSON_RPC_PONG = 'pong';
export const JSON_RPC_ACK_PREFIX = 'mack:';

export type JsonRpcFrame =
  | { kind: 'ping' }
  | { kind: 'messages'; messages: PullMessage[]; malformed: number }
  /** A JSON-RPC response or a method this client does not take: nothing to do. */
  | { kind: 'other' }
  | { kind: 'malformed' };

/**
 * Reads one version 5 text frame. As the SDK does, `user_params` and `dictionary` are merged into
 * the body's `params`.
 */
export function parseJsonRpcFrame(text: string): JsonRpcFrame {
  if (text === JSON_RPC_PING) return { kind: 'ping' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'malformed' };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const messages: PullMessage[] = [];
  let malformed = 0;
  let incoming = 0;
  for (const item of items) {
    if (!item || typeof item !== 'object' || (item as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      malformed += 1;
      continue;
    }
    const { method, params } = item as { method?: unknown; params?: Record<string, unknown> };
    if (method !== 'incoming.message') continue;
    incoming += 1;
    const message = pullMessage(
      params,
      (p) => p.mid,
      (p) => withMergedParams(p),
    );
    if (message) messages.push(message);
    else malformed += 1;
  }
  if (incoming === 0 && malformed === 0) return { kind: 'other' };
  if (messages.length === 0 && incoming === 0) return { kind: 'malformed' };
  return { kind: 'messages', messages, malformed };
}

function withMergedParams(params: Record<string, unknown>): unknown {
  const body = params.body;
  if (!body || typeof body !== 'object') return body;
  const record = body as Record<string, unknown>;
  const extras = [params.user_params, params.dictionary].filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
  if (extras.length === 0) return body;
  const base = record.params && typeof record.params === 'object' && !Array.isArray(record.params) ? record.params : {};
  return { ...record, params: Object.assign({}, base, ...extras) };
}
