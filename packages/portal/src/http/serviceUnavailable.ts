/**
 * Failures that say a service the portal needs (PostgreSQL, Redis) is away for now, not that the
 * request or the code is wrong: the answer is 503 and the client tries again later, while the pool
 * (pg) or the client (ioredis) reconnects by itself. Everything else stays a 500.
 */

/** Node's socket errors: the server is down, restarting, or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL's SQLSTATE classes and codes for a lost or refused connection: 08 (connection
 * exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: a restart).
 */
const isPostgresConnectionState = (code: string) => code.startsWith('08') || /^57P0[1-3]$/.test(code);

/**
 * pg and ioredis say "connection lost" in messages without a code: a connection that ended under a
 * query, a pool that could not connect in time, a command with no connection to go out on.
 */
const LOST_CONNECTION = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Stream isn't writeable/,
  /^Connection is closed/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
];

export function isServiceUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err ? String(err.code) : '';
  if (NETWORK_CODES.has(code) || isPostgresConnectionState(code)) return true;
  // A refused connection to `localhost` (IPv4 and IPv6 both tried) is an AggregateError of them.
  if (err instanceof AggregateError) return err.errors.some(isServiceUnavailable);
  const message = err instanceof Error ? err.message : '';
  return LOST_CONNECTION.some((pattern) => pattern.test(message));
}
