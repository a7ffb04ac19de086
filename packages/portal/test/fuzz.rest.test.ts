import { test } from 'node:test';
import { REST_SCOPES } from '@multidesk/protocol';
import {
  describeRequest,
  type Encoded,
  encodedParams,
  FUZZ_LIMITS,
  FuzzTally,
  fc,
  formText,
  fuzz,
  fuzzRun,
  hostileHeaderLines,
  hostileString,
  httpMethod,
  isJsonError,
  jsonValue,
  keyOf,
  paramsOf,
  pathOf,
  percentEncode,
  phpFormText,
  phpPairs,
  rawHead,
  rawHttp,
  shares,
  within,
} from './fuzzArbitraries.ts';
import { postJson, restPortal, webhookFor } from './tokens.ts';

/**
 * Property: whatever a client sends to /rest — any method, any body encoding, batch included —
 * the portal answers within the timeout, never with a 5xx, and every error is Bitrix24's JSON
 * `{error, error_description}`. Most cases go through app.inject; a share goes over real sockets
 * with raw, hostile request heads.
 */

const run = fuzzRun(8000);
const cases = shares(run.cases, { method: 60, batch: 32, socket: 8 });
const tally = new FuzzTally('rest', run);
const { portal, acme, token } = await restPortal({ limits: FUZZ_LIMITS, signIn: 'anna@example.com' });
const hook = await webhookFor(portal, 'acme', 'anna@example.com', [...REST_SCOPES]);
const host = `acme.localhost:${portal.port}`;

/** Every method the portal serves, from its own registry (`methods?full=true`). */
const METHODS: string[] = (await postJson(`${acme}/rest/methods`, { auth: token, full: true })).body.result;

/** Parameter names the methods read, so that most values reach a handler's own checks. */
// biome-ignore format: a list of names reads best packed
const PARAMS = [
  'fields', 'filter', 'select', 'order', 'sort', 'start', 'limit', 'offset', 'params', 'ID', 'id', 'taskId', 'TITLE', 'DESCRIPTION',
  'RESPONSIBLE_ID', 'CREATED_BY', 'DEADLINE', 'STATUS', 'PRIORITY', 'USER_ID', 'DIALOG_ID', 'CHAT_ID', 'MESSAGE', 'MESSAGE_ID',
  'CLIENT_MESSAGE_ID', 'USERS', 'TYPE', 'LAST_ID', 'FIRST_ID', 'LIMIT', 'SKIP_CHAT', 'SKIP_DIALOG', 'UNREAD_ONLY',
  'LAST_MESSAGE_DATE', 'cmd', 'halt', 'full', 'scope', 'CACHE', 'EMAIL', 'NAME', 'ACTIVE', '>ID', '<ID', '!ID', '%NAME',
];

const methodName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.constantFrom(...METHODS).map((m) => `${m.toUpperCase()}.json`) },
  { weight: 1, arbitrary: hostileString },
);

const credentials = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('token', 'bearer', 'webhook') },
  { weight: 1, arbitrary: fc.constantFrom('bad-token', 'bad-webhook', 'none', 'both') },
);

const siteHost = fc.oneof(
  { weight: 12, arbitrary: fc.constant(host) },
  { weight: 1, arbitrary: fc.constantFrom(`localhost:${portal.port}`, `nope.localhost:${portal.port}`, 'evil.example', '') },
);

/** A batch command: `method?query`, references to results that may not exist, nested batches. */
const command = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(methodName, paramsOf(PARAMS)).map(([m, p]) => `${m}?${formText(phpPairs(p)).slice(0, 3000)}`) },
  { weight: 3, arbitrary: fc.tuple(methodName, phpFormText(PARAMS)).map(([m, q]) => `${m}?${q}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'batch?cmd[a]=user.current',
      `batch?cmd[0]=${percentEncode('batch?cmd[x]=server.time')}`,
      'user.get?ID=$result[a][ID]',
      'user.get?FILTER[ID]=$result[missing][0][ID]',
      'tasks.task.get?taskId=$result[t][task][id]',
      'tasks.task.add?fields[TITLE]=$result_total[a]&fields[RESPONSIBLE_ID]=$result[me][ID]',
      'im.dialog.get?DIALOG_ID=$result[__proto__][constructor]',
      'im.message.add?DIALOG_ID=chat1&MESSAGE=$result[a]$result[b]$result[c]',
      'user.current',
      'tasks.task.list?filter[>ID]=0&select[]=ID&start=-1',
      '',
      '?',
      '??&&',
      '%E0%A4%A?x=1',
    ),
  },
  { weight: 1, arbitrary: hostileString },
);

const cmd = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(keyOf(['a', 'b', 'me', 't', '0', '1', 'missing']), command, { maxKeys: 6, noNullPrototype: true }),
  },
  { weight: 3, arbitrary: fc.array(command, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 49, max: 52 }).chain((n) => fc.array(command, { minLength: n, maxLength: n })) },
  { weight: 1, arbitrary: jsonValue(keyOf(['a', 'b'])) },
);

const batchParams = fc
  .record({ cmd, halt: fc.constantFrom(0, 1, '1', 'Y', 'N', [], {}) }, { requiredKeys: ['cmd'] })
  .map((p) => p as Record<string, unknown>);

interface RestCase {
  host: string;
  http: 'GET' | 'POST';
  method: string;
  credentials: string;
  encoded: Encoded;
}

const restCase = (method: fc.Arbitrary<string>, encoded: fc.Arbitrary<Encoded>) =>
  fc.record({ host: siteHost, http: fc.constantFrom<'GET' | 'POST'>('GET', 'POST', 'POST'), method, credentials, encoded });

/** The request a case makes: path by credentials, auth in the query or a header. */
function requestOf(c: RestCase) {
  const name = percentEncode(c.method);
  const headers: Record<string, string> = { host: c.host };
  const query: string[] = c.encoded.query ? [c.encoded.query] : [];
  let path = `/rest/${name}`;
  if (c.credentials === 'webhook' || c.credentials === 'both') path = `/rest/${hook.memberId}/${hook.secret}/${name}`;
  if (c.credentials === 'bad-webhook') path = `/rest/${hook.memberId}/not-the-secret/${name}`;
  if (c.credentials === 'token' || c.credentials === 'both') query.push(`auth=${token}`);
  if (c.credentials === 'bad-token') query.push('auth=not-a-token');
  if (c.credentials === 'bearer') headers.authorization = `Bearer ${token}`;
  if (c.encoded.contentType) headers['content-type'] = c.encoded.contentType;
  const url = query.length > 0 ? `${path}?${query.join('&')}` : path;
  return { method: c.http, url, headers, ...(c.encoded.payload === undefined ? {} : { payload: c.encoded.payload }) };
}

async function injectCase(c: RestCase): Promise<void> {
  const request = requestOf(c);
  const what = () => describeRequest(request);
  try {
    const reply = await within(15_000, portal.app.inject(request));
    tally.status(reply.statusCode, what);
    if (reply.statusCode >= 400 && !isJsonError(reply.headers['content-type'] as string | undefined, reply.body)) {
      tally.malformedError(() => `${reply.statusCode} ${reply.body.slice(0, 200)} for ${what()}`);
    }
  } catch (error) {
    tally.crash(error, what);
  }
}

test('any method with any parameters in any body encoding answers 2xx or 4xx JSON, never 5xx', async () => {
  await fuzz(run, cases.method, restCase(methodName, encodedParams(PARAMS)), injectCase);
});

test('batch with any commands (51 of them, nested batch, references to nothing, junk) answers 2xx or 4xx JSON', async () => {
  await fuzz(run, cases.batch, restCase(fc.constantFrom('batch', 'BATCH.json', 'batch/'), encodedParams(PARAMS, batchParams)), injectCase);
});

test('raw requests over a socket (any method, path, header and body) answer, never 5xx, and /rest errors are JSON', async () => {
  const restPaths = [...METHODS.map((m) => `/rest/${m}`), `/rest/${hook.memberId}/${hook.secret}/user.current`, '/rest/', '/rest'];
  const rawCase = fc.record({
    method: httpMethod,
    path: pathOf(restPaths),
    host: siteHost,
    auth: fc.boolean(),
    headers: hostileHeaderLines,
    encoded: encodedParams(PARAMS),
  });
  await fuzz(run, cases.socket, rawCase, async (c) => {
    const { head, what } = rawHead(c, [c.encoded.query, c.auth ? `auth=${token}` : ''].filter(Boolean).join('&'));
    try {
      const answer = await rawHttp(portal.port, head, c.encoded.payload ?? '', 15_000);
      if (answer.status === 0) return tally.status(400, what); // closed unanswered: junk the HTTP parser refused
      tally.status(answer.status, what);
      // The portal's own errors (not Node's parser's, which carry no type) on /rest are JSON.
      const ours = answer.headers['content-type'] !== undefined && ['GET', 'POST'].includes(c.method) && /^\/rest(\/|$)/i.test(c.path);
      if (answer.status >= 400 && ours && !isJsonError(answer.headers['content-type'], answer.body)) {
        tally.malformedError(() => `${answer.status} ${answer.body.slice(0, 200)} for ${what()}`);
      }
    } catch (error) {
      tally.crash(error, what);
    }
  });
});

test('the portal still answers after the run', async () => {
  try {
    const reply = await within(15_000, postJson(`${acme}/rest/server.time`, { auth: token }));
    if (reply.status !== 200) tally.crash(new Error(`server.time answered ${reply.status}`), () => 'after the run');
  } catch (error) {
    tally.crash(error, () => 'server.time after the run');
  }
});

test('no input made a 5xx, a crash or a malformed error', () => tally.report());
