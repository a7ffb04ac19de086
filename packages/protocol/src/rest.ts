/** The `time` block every Bitrix24 REST answer carries (the official SDK requires it). */
export interface RestTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating: number;
  operating_reset_at: number;
}

export interface RestSuccess<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time: RestTime;
}

export const REST_PAGE_SIZE = 50;
export const BATCH_MAX_COMMANDS = 50;

/** Scopes a webhook or token can carry (Bitrix24's names). */
export const REST_SCOPES = ['user', 'user_basic', 'im', 'task', 'profile'] as const;
export type RestScope = (typeof REST_SCOPES)[number];
