/**
 * ISO 8601 date-times as Bitrix24 clients send them: `2026-12-01T18:00:00+03:00`, `…Z`, with or
 * without seconds and fractions, a space instead of `T`, or a date alone (midnight). Without an
 * offset the time is UTC, the portal's time zone. Fractions of a second are dropped: Bitrix24
 * answers to the second.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds, or undefined when `text` is not a real date-time (30 February, 25:00, +15:00). */
export function parseDateTime(text: string): number | undefined {
  const match = ISO.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2));
    if (offsetHours > 14 || offsetMins > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
}

const pad = (n: number) => String(n).padStart(2, '0');

function utcParts(ms: number) {
  const d = new Date(ms);
  return {
    date: [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())],
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** `2024-07-23 08:08:50`: how Bitrix24 writes a user's LAST_ACTIVITY_DATE (UTC, the portal's time zone). */
export function sqlDateTime(ms: number): string {
  const { date, time } = utcParts(ms);
  return `${date.join('-')} ${time}`;
}

/** `23.07.2024 08:08:50`: the site format Bitrix24 writes TIMESTAMP_X in. */
export function siteDateTime(ms: number): string {
  const { date, time } = utcParts(ms);
  return `${[...date].reverse().join('.')} ${time}`;
}
