import { RestError, type RestErrorCode, type RestSuccess, type RestTime } from '@multidesk/protocol';

/** A Bitrix24 REST error a method or the dispatcher raises; its code decides the HTTP status. */
export class RestFailure extends Error {
  readonly code: RestErrorCode;
  readonly status: number;

  constructor(code: RestErrorCode, description: string) {
    super(description);
    this.code = code;
    this.status = RestError[code];
  }
}

/** A wrong or missing method argument: 400, and the message says which. */
export function invalidArgument(description: string): RestFailure {
  return new RestFailure('INVALID_ARG_VALUE', description);
}

/** What a method returns; the envelope adds `time`. Lists set `total` and `next` as Bitrix24 does. */
export interface RestOutcome {
  result: unknown;
  total?: number;
  next?: number;
}

let lastSecond = Number.NaN;
let lastSecondText = '';

/** Results that will be answered again as they are, and their JSON once it has been written (null: not yet). */
const unchangingJson = new WeakMap<object, string | null>();

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/**
 * Marks a result that is kept and answered again as it is (e.g. the caller's own record, made once
 * for each authentication read): it is frozen all the way down, and its JSON is written only once.
 */
export function unchanging<T extends object>(result: T): Readonly<T> {
  deepFreeze(result);
  if (!unchangingJson.has(result)) unchangingJson.set(result, null);
  return result;
}

/** A success's JSON, as JSON.stringify writes it; an `unchanging` result's JSON is reused. */
export function successJson(body: RestSuccess): string {
  const { result } = body;
  const kept = typeof result === 'object' && result !== null ? unchangingJson.get(result) : undefined;
  if (kept === undefined) return JSON.stringify(body);
  let json = kept;
  if (json === null) {
    json = JSON.stringify(result);
    unchangingJson.set(result as object, json);
  }
  const total = body.total === undefined ? '' : `,"total":${JSON.stringify(body.total)}`;
  const next = body.next === undefined ? '' : `,"next":${JSON.stringify(body.next)}`;
  return `{"result":${json}${total}${next},"time":${JSON.stringify(body.time)}}`;
}

/** PHP's `date('c')`: second precision and an explicit offset, which is what Bitrix24 sends. */
export function isoDateTime(ms: number): string {
  // Every answer's time block writes the current second twice: it is formatted once.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    lastSecond = second;
  }
  return lastSecondText;
}

const seconds = (ms: number) => Math.round(ms * 1000) / 1_000_000;

export interface TimeInput {
  /** Epoch milliseconds when the request (or batch command) arrived. */
  startedAt: number;
  durationMs: number;
  processingMs: number;
  operating: { seconds: number; resetAt: number };
}

export function restTime(input: TimeInput): RestTime {
  const finishedAt = input.startedAt + input.durationMs;
  return {
    start: seconds(input.startedAt),
    finish: seconds(finishedAt),
    duration: seconds(input.durationMs),
    processing: seconds(input.processingMs),
    date_start: isoDateTime(input.startedAt),
    date_finish: isoDateTime(finishedAt),
    operating: Math.round(input.operating.seconds * 10_000) / 10_000,
    operating_reset_at: Math.floor(input.operating.resetAt / 1000),
  };
}

/**
 * PHP's json_encode of an array: keys 0..n-1 in order make a JSON list, an empty map is `[]`,
 * anything else an object. Batch answers depend on it (`result_error: []` when nothing failed).
 */
export function phpArray<T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> | T[] {
  if (entries.every(([key], index) => key === String(index))) return entries.map(([, value]) => value);
  return Object.fromEntries(entries);
}
