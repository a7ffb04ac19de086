import { type Static, Type } from 'typebox';

/** The `time` block every Bitrix24 REST answer carries (the official SDK requires it). */
export const RestTime = Type.Object({
  /** Unix seconds with fractions. */
  start: Type.Number(),
  finish: Type.Number(),
  /** Seconds from receiving the request to answering it. */
  duration: Type.Number(),
  /** Seconds spent in the method itself. */
  processing: Type.Number(),
  /** ISO-8601 with a time zone, as PHP's `c` format: `2026-11-25T19:31:32+00:00`. */
  date_start: Type.String(),
  date_finish: Type.String(),
  /** Seconds this user spent in this method in the current window (Bitrix24's operating limit). */
  operating: Type.Number(),
  /** Unix seconds when `operating` starts again from zero. */
  operating_reset_at: Type.Number(),
});
export type RestTime = Static<typeof RestTime>;

/** A successful answer; lists add `total` (unless counting was skipped) and `next` (unless last page). */
export const RestSuccessBody = Type.Object({
  result: Type.Unknown(),
  total: Type.Optional(Type.Integer()),
  next: Type.Optional(Type.Integer()),
  time: RestTime,
});

export interface RestSuccess<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time: RestTime;
}

export interface RestErrorBody {
  error: string;
  error_description?: string;
}

/**
 * What `batch` answers in `result`. Each map is keyed like the `cmd` it ran; as in Bitrix24's PHP,
 * a map keyed 0..n-1 is a JSON array and an empty one is `[]`.
 */
export interface RestBatchResult {
  result: Record<string, unknown> | unknown[];
  result_error: Record<string, RestErrorBody> | RestErrorBody[];
  result_total: Record<string, number> | number[];
  result_next: Record<string, number> | number[];
  result_time: Record<string, RestTime> | RestTime[];
}

export const REST_PAGE_SIZE = 50;
/** `start=-1`: a list without counting; the answer has neither `total` nor `next`. */
export const REST_START_UNCOUNTED = -1;
export const BATCH_MAX_COMMANDS = 50;

/**
 * Scopes a webhook or token can carry (Bitrix24's names): `pull` for an app's own Pull channel
 * (`pull.application.*`), `pull_channel` for the user's channels (`pull.config.get`).
 */
export const REST_SCOPES = ['user', 'user_basic', 'im', 'task', 'profile', 'pull', 'pull_channel'] as const;
export type RestScope = (typeof REST_SCOPES)[number];
