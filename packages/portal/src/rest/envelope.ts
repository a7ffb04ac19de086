import { RestError, type RestErrorCode, type RestTime } from '@multidesk/protocol';

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

/** PHP's `date('c')`: second precision and an explicit offset, which is what Bitrix24 sends. */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
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
