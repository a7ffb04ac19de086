import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';

/**
 * What the fuzz suites share (issue 17, part 1): the run's seed and size, a tally that prints one
 * line per area, and arbitraries for hostile input: strings and numbers, nested and huge JSON,
 * PHP-style forms, multipart, query strings, and raw HTTP over a socket.
 *
 * `FUZZ_SEED=<n>` replays a run (every suite prints its seed); `FUZZ_CASES=<n>` sets the cases of
 * each suite; `MULTIDESK_SOAK=1` runs ten times the default.
 */

export { fc };

/**
 * Limits for fuzzing a portal: throttles and the REST budget off (their deliberate 429/503 would
 * hide what the input does), long polls short (a held poll is not a hang).
 */
export const FUZZ_LIMITS = {
  restBurst: Number.POSITIVE_INFINITY,
  restDrainPerSecond: 0,
  failuresPerLogin: 1e9,
  failuresPerIp: 1e9,
  tokenFailuresPerIp: 1e9,
  qrRequestsPerIp: 1e9,
  pullLongPollMs: 50,
};

export interface FuzzRun {
  seed: number;
  /** Cases for this suite. */
  cases: number;
}

/** The seed and size of a suite whose default share of the run is `defaultCases`. */
export function fuzzRun(defaultCases: number): FuzzRun {
  const seedText = process.env.FUZZ_SEED;
  const seed = seedText ? Number(seedText) : Date.now() % 2 ** 31;
  assert.ok(Number.isSafeInteger(seed), `FUZZ_SEED must be an integer, not ${seedText}`);
  const casesText = process.env.FUZZ_CASES;
  const cases = casesText ? Number(casesText) : defaultCases * (process.env.MULTIDESK_SOAK === '1' ? 10 : 1);
  assert.ok(Number.isSafeInteger(cases) && cases > 0, `FUZZ_CASES must be a positive integer, not ${casesText}`);
  return { seed, cases };
}

/** Splits a suite's cases among its properties by weight (each gets at least one). */
export function shares<K extends string>(total: number, weights: Record<K, number>): Record<K, number> {
  const sum = Object.values<number>(weights).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries<number>(weights).map(([k, w]) => [k, Math.max(1, Math.round((total * w) / sum))])) as Record<
    K,
    number
  >;
}

/**
 * Counts the answers of one area. A 5xx, a crash (the request threw, hung past its timeout, or the
 * server died) and a malformed error (an API route's error that is not JSON with an `error` code)
 * each keep their first few examples for the failure message.
 */
export class FuzzTally {
  cases = 0;
  clientErrors = 0;
  serverErrors = 0;
  crashes = 0;
  malformed = 0;
  readonly examples: string[] = [];
  readonly area: string;
  readonly run: FuzzRun;

  constructor(area: string, run: FuzzRun) {
    this.area = area;
    this.run = run;
    // The server runs in this process: an exception nothing caught would have crashed it.
    const crashed = (error: unknown) => this.crash(error, () => 'an uncaught exception in the server');
    process.on('uncaughtException', crashed);
    process.on('unhandledRejection', crashed);
  }

  #example(kind: string, what: () => string): void {
    if (this.examples.length < 8) this.examples.push(`${kind}: ${truncate(what(), 1000)}`);
  }

  /** One answered case; `what` describes the input, only built when it is kept. */
  status(status: number, what: () => string): void {
    this.cases++;
    if (status >= 400 && status < 500) this.clientErrors++;
    if (status >= 500) {
      this.serverErrors++;
      this.#example(`${status}`, what);
    }
  }

  crash(error: unknown, what: () => string): void {
    this.cases++;
    this.crashes++;
    this.#example(`crash (${error instanceof Error ? error.message : String(error)})`, what);
  }

  /** An API error answer that is not `{"error": "<code>", …}` JSON. */
  malformedError(what: () => string): void {
    this.malformed++;
    this.#example('malformed error', what);
  }

  line(): string {
    const { seed } = this.run;
    return (
      `fuzz ${this.area}: ${this.cases} cases, ${this.clientErrors} 4xx, ${this.serverErrors} 5xx, ${this.crashes} crashes` +
      `${this.malformed ? `, ${this.malformed} malformed errors` : ''} (seed ${seed}; replay with FUZZ_SEED=${seed})`
    );
  }

  /** Prints the area's line, then fails on any 5xx, crash or malformed error, with examples. */
  report(): void {
    console.log(this.line());
    const bad = this.serverErrors + this.crashes + this.malformed;
    assert.equal(bad, 0, `${this.line()}\n${this.examples.join('\n')}`);
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/**
 * Runs `body` on `cases` inputs of `arbitrary` with the run's seed. The body records into a tally
 * and does not fail: every case runs, so the line counts them all; the tally fails afterwards.
 */
export async function fuzz<T>(run: FuzzRun, cases: number, arbitrary: fc.Arbitrary<T>, body: (input: T) => Promise<void>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      await body(input);
    }),
    { seed: run.seed, numRuns: cases, endOnFailure: true },
  );
}

/** Rejects with "no answer within …" when `promise` takes longer than `ms`: a hang counts as a crash. */
export function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether an error answer is JSON with a string `error` code, as every API route's must be. */
export function isJsonError(contentType: string | undefined, body: string): boolean {
  if (!(contentType ?? '').includes('application/json')) return false;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' && parsed.error !== '';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile scalars

/** Names of Object.prototype and friends: keys that break code using plain objects as maps. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  ...PROTOTYPE_KEYS,
  '0',
  '1',
  '2',
  '-1',
  '-0',
  '1.5',
  '1e309',
  '-1e309',
  '1e-400',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999999999999',
  '-99999999999999999999999999999999',
  '0x1F',
  'Y',
  'N',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%00',
  '\uD800',
  '\uDFFF',
  '💥',
  'Ünïcødé',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '../../../../etc/passwd',
  'chat1',
  'chat999999999',
  'sg1',
  'user1',
  '$result[a]',
  '$result[a][ID]',
  '$result[missing][0][ID]',
  '$result_total[a]',
  '$result_next[]',
  '$result[__proto__][constructor]',
  '2026-12-06T10:00:00+00:00',
  '0000-00-00 00:00:00',
  '9999-99-99',
  'http://127.0.0.1:1/',
  'javascript:alert(1)',
];

export const hugeNumberText = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom('1e308', '1e309', '-1e309', '18446744073709551616', '2147483648', '-2147483649', '9007199254740992'),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: hugeNumberText },
  { weight: 1, arbitrary: fc.nat({ max: 20 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40_000 }).map((n) => 'x'.repeat(n)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -5, max: 30 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -0, 0.5, 2 ** 31, 2 ** 32, 2 ** 63),
);

export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

/** Keys: the given likely names (and their case variants), prototype keys, and anything. */
export function keyOf(known: readonly string[]): fc.Arbitrary<string> {
  const variants = known.flatMap((k) => [k, k.toUpperCase(), k.toLowerCase()]);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...new Set(variants)) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

/** An object built with own properties only, `__proto__` included (as JSON.parse makes them). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Nested objects and arrays of hostile scalars with keys from `keys`; sometimes very deep or very long. */
export function jsonValue(keys: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: 5 },
      scalar,
      fc.array(tie('tree'), { maxLength: 4 }),
      fc.array(fc.tuple(keys, tie('tree')), { maxLength: 4 }).map(objectOf),
    ),
  }));
  const deep = fc.tuple(fc.integer({ min: 10, max: 3000 }), fc.boolean(), scalar).map(([depth, arrays, leaf]) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });
  const small = fc.oneof(fc.integer({ min: -1, max: 1e6 }), fc.constantFrom('1', 'x', '', '__proto__', null));
  const huge = fc.tuple(fc.integer({ min: 1000, max: 60_000 }), small).map(([length, item]) => new Array(length).fill(item));
  return fc.oneof({ weight: 12, arbitrary: tree }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: huge });
}

/** A parameter object: mostly known names with hostile values. */
export function paramsOf(known: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const keys = keyOf(known);
  return fc.array(fc.tuple(keys, jsonValue(keys)), { maxLength: 6 }).map(objectOf);
}

/**
 * Parameters where some known names carry a value that gets past the first check (a real CSRF
 * token, a real id, the right client id), so that the fuzz reaches the code behind it.
 */
export function withPlausible(
  params: fc.Arbitrary<Record<string, unknown>>,
  plausible: Record<string, readonly unknown[]>,
): fc.Arbitrary<Record<string, unknown>> {
  const picks = Object.entries(plausible).map(([key, values]) =>
    fc.constantFrom(...values).map((value) => [key, value] as [string, unknown]),
  );
  return fc
    .tuple(params, fc.subarray(picks))
    .chain(([base, chosen]) => fc.tuple(...chosen).map((entries) => objectOf([...Object.entries(base), ...entries])));
}

// ---------------------------------------------------------------------------------------------
// Body encodings

export interface Encoded {
  /** Added to the URL after `?` (may be empty). */
  query: string;
  contentType?: string;
  payload?: string | Buffer;
}

const DEEP_LIMIT = 8;

/** `a[b][0]=v` pairs of a value as PHP clients send it; deep values are cut at a few levels. */
export function phpPairs(value: unknown, prefix = '', depth = 0): [string, string][] {
  if (value === null || value === undefined) return prefix ? [[prefix, '']] : [];
  if (typeof value !== 'object') return prefix ? [[prefix, String(value)]] : [];
  if (depth > DEEP_LIMIT) return prefix ? [[prefix, '']] : [];
  const entries = Array.isArray(value) ? value.slice(0, 3000).map((v, i) => [String(i), v] as const) : Object.entries(value);
  const pairs: [string, string][] = [];
  for (const [key, inner] of entries) {
    pairs.push(...phpPairs(inner, prefix ? `${prefix}[${key}]` : key, depth + 1));
    if (pairs.length > 5000) break;
  }
  return pairs;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encodeURIComponent that never throws: a lone surrogate becomes the bytes of one (not UTF-8). */
export function percentEncode(text: string): string {
  return text
    .split(LONE_SURROGATE)
    .map((part) => encodeURIComponent(part))
    .join('%ED%A0%80');
}

export const formText = (pairs: [string, string][]) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');

/** Hand-written PHP-style form text: `FIELDS[TITLE]=x&FILTER[>ID][0]=1`, unbalanced brackets, bad escapes. */
export function phpFormText(known: readonly string[]): fc.Arbitrary<string> {
  const segment = fc.oneof(
    fc.constantFrom('', '0', '1', '>ID', '<=ID', '!ID', '%ID', 'TITLE', 'ID', 'ASC', ...PROTOTYPE_KEYS, '][', '[', ']'),
    fc.string({ maxLength: 6 }),
  );
  const key = fc
    .tuple(keyOf(known), fc.array(segment, { maxLength: 8 }))
    .map(([base, segs]) => `${base}${segs.map((s) => `[${s}]`).join('')}`);
  const raw = fc.oneof(
    fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%00', '%FF%FE', '+', '&&&', '==', '[]=', 'a[=1', 'a]=1'),
    fc.string({ maxLength: 10 }),
  );
  const pair = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(key, hostileString).map(([k, v]) => `${k.replace(/[&=#]/g, '')}=${percentEncode(v)}`) },
    { weight: 1, arbitrary: raw },
  );
  return fc.array(pair, { maxLength: 12 }).map((pairs) => pairs.join('&'));
}

export const BOUNDARY = 'fuzz-boundary-7d1c';

export function multipartOf(pairs: [string, string][], boundary = BOUNDARY): string {
  const parts = pairs.map(
    ([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"\r\n\r\n${value}\r\n`,
  );
  return `${parts.join('')}--${boundary}--\r\n`;
}

/** Bytes that are not UTF-8, NUL bytes, truncated sequences: as a body or inside one. */
export const hostileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from([0xc3, 0x28]),
    Buffer.from([0xff, 0xfe, 0x00, 0x00]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from('{"a":"\u0000"}'),
    Buffer.concat([Buffer.from('{"FIELDS":{"TITLE":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}}')]),
    Buffer.concat([Buffer.from('FIELDS[TITLE]='), Buffer.from([0xc0, 0xaf, 0x00]), Buffer.from('&x=1')]),
  ),
);

/** Raw JSON text: deep nesting past any parser's comfort, huge arrays, duplicate and prototype keys, junk. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 100, max: 200_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 100, max: 100_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1000, max: 150_000 }).map((n) => `{"FILTER":{"ID":[${new Array(n).fill('1').join(',')}]}}`),
  fc.constantFrom(
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"a":1,"a":2}',
    '{"ID":1e999}',
    '{"ID":-0}',
    '{"ID":123456789012345678901234567890}',
    '[1,2,3]',
    '"text"',
    '42',
    'null',
    'true',
    '{',
    '{"a":}',
    '',
    '\u0000',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
  ),
);

export type Encoding = 'json' | 'form' | 'multipart' | 'query' | 'rawForm' | 'rawJson' | 'bytes' | 'none';

/** One parameter object in one of the body encodings, or a raw hostile body in a random content type. */
export function encodedParams(
  known: readonly string[],
  params: fc.Arbitrary<Record<string, unknown>> = paramsOf(known),
): fc.Arbitrary<Encoded> {
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    `multipart/form-data; boundary=${BOUNDARY}`,
    'multipart/form-data; boundary=',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    '*/*',
    ';;;',
  );
  return fc.oneof(
    { weight: 4, arbitrary: params.map((p): Encoded => ({ query: '', contentType: 'application/json', payload: JSON.stringify(p) })) },
    {
      weight: 3,
      arbitrary: params.map(
        (p): Encoded => ({ query: '', contentType: 'application/x-www-form-urlencoded', payload: formText(phpPairs(p)) }),
      ),
    },
    {
      weight: 2,
      arbitrary: params.map(
        (p): Encoded => ({ query: '', contentType: `multipart/form-data; boundary=${BOUNDARY}`, payload: multipartOf(phpPairs(p)) }),
      ),
    },
    { weight: 2, arbitrary: params.map((p): Encoded => ({ query: formText(phpPairs(p)).slice(0, 6000) })) },
    {
      weight: 2,
      arbitrary: phpFormText(known).map(
        (text): Encoded => ({ query: '', contentType: 'application/x-www-form-urlencoded', payload: text }),
      ),
    },
    { weight: 1, arbitrary: phpFormText(known).map((text): Encoded => ({ query: text })) },
    { weight: 2, arbitrary: hostileJsonText.map((text): Encoded => ({ query: '', contentType: 'application/json', payload: text })) },
    {
      weight: 1,
      arbitrary: fc.tuple(contentType, hostileBytes).map(([type, bytes]): Encoded => ({ query: '', contentType: type, payload: bytes })),
    },
    { weight: 1, arbitrary: fc.constant<Encoded>({ query: '' }) },
  );
}

/** A request described for a failure message: short, and replayable by eye. */
export function describeRequest(request: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}): string {
  const payload =
    request.payload === undefined
      ? ''
      : typeof request.payload === 'string'
        ? request.payload
        : `<bytes ${request.payload.toString('hex')}>`;
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k, truncate(v, 80)]));
  return `${request.method} ${truncate(request.url, 300)} ${JSON.stringify(headers)} ${truncate(payload, 400)}`;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP over a socket: what no client library would send

export const httpMethod = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT') },
  { weight: 1, arbitrary: fc.constantFrom('get', 'PROPFIND', 'FOO', 'G E T', '') },
);

/** A path: one of `paths`, with junk appended, encoded, doubled slashes, or random. */
export function pathOf(paths: readonly string[]): fc.Arbitrary<string> {
  const suffix = fc.constantFrom('', '/', '//', '.json', '/..', '/%2e%2e/', '%00', '%', '?', '?&&=', '#frag', '/x', ';a=b');
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...paths) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...paths), suffix).map(([p, s]) => p + s) },
    { weight: 1, arbitrary: fc.constantFrom(...paths).map((p) => p.toUpperCase()) },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `/${s}`) },
    { weight: 1, arbitrary: fc.constantFrom('*', '/%E0%A4%A', '/a/../../b', `/${'a/'.repeat(500)}`, `/${'x'.repeat(9000)}`) },
  );
}

/** A request to send over a raw socket: any method, path, Host and header lines, and a body encoding. */
export interface RawCase {
  method: string;
  path: string;
  host: string;
  headers: string[];
  encoded: Encoded;
}

/** The case's request head (`query` joins its encoded query), and how a finding describes it. */
export function rawHead(c: RawCase, query = c.encoded.query): { head: string; what: () => string } {
  const target = query ? `${c.path}${c.path.includes('?') ? '&' : '?'}${query}` : c.path;
  const head = [
    `${c.method} ${target} HTTP/1.1`,
    `host: ${c.host}`,
    ...(c.encoded.contentType ? [`content-type: ${c.encoded.contentType}`] : []),
    ...c.headers,
  ].join('\r\n');
  return { head, what: () => `${head.slice(0, 400)} ${describeRequest({ method: '', url: '', payload: c.encoded.payload })}` };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body` on a
 * fresh connection and reads the answer until the server closes it (`connection: close` is
 * added). Status 0: the server closed without answering (allowed for junk, e.g. a bad method).
 */
export function rawHttp(port: number, head: string, body: Buffer | string = '', timeoutMs = 10_000): Promise<RawAnswer> {
  return within(
    timeoutMs,
    new Promise<RawAnswer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        // An upgrade that was let in stays open: its head is the whole answer.
        if (/^HTTP\/1\.1 101 /.test(Buffer.concat(chunks).toString('latin1', 0, 16)) && Buffer.concat(chunks).includes('\r\n\r\n'))
          finish();
      });
      socket.on('error', (error) => {
        // A reset after an answer was read is the server closing a request it refused.
        if (chunks.length > 0) finish();
        else if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE') finish();
        else reject(error);
      });
      socket.on('close', finish);
      let done = false;
      function finish() {
        if (done) return;
        done = true;
        socket.destroy();
        resolve(parseAnswer(Buffer.concat(chunks)));
      }
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      socket.write(`${head}\r\nconnection: close\r\ncontent-length: ${bytes.length}\r\n\r\n`, 'latin1');
      socket.end(bytes);
    }),
  );
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const end = bytes.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, end < 0 ? bytes.length : end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  const body = (headers['transfer-encoding'] ?? '').includes('chunked') ? unchunk(raw) : raw;
  return { status, headers, body: body.toString('utf8') };
}

/** A chunked body's bytes, as far as they arrived. */
function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const line = bytes.indexOf('\r\n', at);
    const size = line < 0 ? 0 : Number.parseInt(bytes.toString('latin1', at, line), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(bytes.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

/** Header lines a hostile client might add: junk values, odd names, duplicates, raw bytes. */
export const hostileHeaderLines: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: headerLines() },
);

function headerLines(): fc.Arbitrary<string[]> {
  return fc.array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'cookie',
            'origin',
            'authorization',
            'accept',
            'content-type',
            'x-forwarded-for',
            'x-forwarded-proto',
            'user-agent',
            'referer',
            'x-a',
          ),
          fc.oneof(hostileString, fc.constantFrom('Bearer ', 'Bearer x', 'null', '*/*', 'text/html', 'a=b; a=c', '=;=;', '\u00ff\u00fe')),
        )
        .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, '')}`),
      fc.constantFrom(
        'x-bad header: 1',
        ': empty',
        'no-colon',
        `x-long: ${'a'.repeat(20_000)}`,
        'transfer-encoding: chunked',
        'expect: 100-continue',
      ),
    ),
    { maxLength: 4 },
  );
}
