import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESKTOP_CLIENT_ID, PULL_LONG_POLLING_PATH, SSO_DESKTOP_START_PATH, SSO_DISCOVER_PATH } from '@multidesk/protocol';
import { APP_AUTHORIZE_PATH } from '../src/http/appOAuth.ts';
import {
  describeRequest,
  type Encoded,
  encodedParams,
  FUZZ_LIMITS,
  FuzzTally,
  fc,
  fuzz,
  fuzzRun,
  hostileHeaderLines,
  hostileString,
  httpMethod,
  isJsonError,
  paramsOf,
  pathOf,
  rawHead,
  rawHttp,
  shares,
  within,
  withPlausible,
} from './fuzzArbitraries.ts';
import { createQr, PASSWORD, signedInBrowser } from './qrClient.ts';
import { pkcePair } from './signIn.ts';
import { restPortal } from './tokens.ts';
import { Browser } from './webPagesClient.ts';

/**
 * Property: the web pages' forms (sign-in, second factor, sessions, QR approval, SSO start), the
 * OAuth endpoints and the network's endpoints answer any input — any field, any encoding, any
 * cookie, origin or host — within the timeout and never with a 5xx; the API routes' errors are
 * JSON with an error code.
 */

const run = fuzzRun(3500);
const cases = shares(run.cases, { routes: 88, socket: 12 });
const tally = new FuzzTally('web', run);
const { portal } = await restPortal({ limits: FUZZ_LIMITS });

const acmeHost = `acme.localhost:${portal.port}`;
const networkHost = `localhost:${portal.port}`;
const browser = await signedInBrowser(portal, 'acme', 'anna@example.com');
const networkBrowser = await signedInBrowser(portal, undefined, 'anna@example.com');
const csrf = Browser.csrf((await browser.get('/sessions')).text);
const networkCsrf = Browser.csrf((await networkBrowser.get('/sessions')).text);
const qr = await createQr(portal, 'acme');
// Chen has a second factor: after the password the browser holds a pending sign-in, waiting for its code.
const initechHost = `initech.localhost:${portal.port}`;
const secondFactor = new Browser(portal.url('initech'));
assert.equal((await secondFactor.post('/login', { login: 'chen@example.com', password: PASSWORD })).location, '/login/code');
const cookieOf = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Every page and endpoint of the web side, by method. */
const ROUTES: [method: string, path: string][] = [
  ['GET', '/'],
  ['GET', '/login'],
  ['POST', '/login'],
  ['GET', '/login/code'],
  ['POST', '/login/code'],
  ['POST', '/logout'],
  ['GET', '/sessions'],
  ['POST', '/sessions/revoke'],
  ['GET', `/qr/${qr.id}`],
  ['POST', `/qr/${qr.id}/approve`],
  ['POST', `/qr/${qr.id}/deny`],
  ['GET', '/qr/nope'],
  ['POST', '/qr/nope/approve'],
  ['POST', '/qr/requests'],
  ['POST', '/qr/requests/poll'],
  ['GET', '/sso/start'],
  ['GET', SSO_DESKTOP_START_PATH],
  ['GET', '/sso/callback'],
  ['POST', '/oauth/desktop/login'],
  ['GET', '/oauth/token'],
  ['POST', '/oauth/token'],
  ['POST', '/oauth/revoke'],
  ['GET', APP_AUTHORIZE_PATH],
  ['POST', '/network/login'],
  ['POST', '/network/authorize'],
  ['POST', '/network/logout'],
  ['POST', SSO_DISCOVER_PATH],
  ['GET', PULL_LONG_POLLING_PATH],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
];

// biome-ignore format: a list of names reads best packed
const FIELDS = [
  'login', 'password', 'next', 'code', 'csrf', 'kind', 'id', 'revoked', 'client_id', 'client_secret', 'code_challenge',
  'code_challenge_method', 'code_verifier', 'grant_type', 'refresh_token', 'redirect_uri', 'response_type', 'state', 'scope',
  'token', 'device_name', 'device_os', 'app_version', 'poll_token', 'wait', 'session', 'portal_url', 'email', 'title', 'url',
  'user_name', 'desktop', 'port', 'error', 'iss',
];

/** Values that get past the first check, so that the fuzz reaches what is behind it. */
const PLAUSIBLE: Record<string, readonly unknown[]> = {
  csrf: [csrf, networkCsrf],
  client_id: [DESKTOP_CLIENT_ID],
  code_challenge: [pkcePair().challenge],
  code_challenge_method: ['S256', 'plain'],
  grant_type: ['authorization_code', 'refresh_token', 'password', 'client_credentials'],
  login: ['anna@example.com', 'chen@example.com'],
  kind: ['web', 'token', 'desktop'],
  id: [qr.id, '1'],
  wait: [0, '0'],
  code: ['000000', '123456', 'aaaa-bbbb'],
  next: ['/', '/sessions', '//evil.example', 'https://evil.example/'],
  redirect_uri: ['http://127.0.0.1:1/callback'],
  email: ['anna@example.com', 'a@acme.example'],
};

const webCase = fc.record({
  route: fc.constantFrom(...ROUTES),
  host: fc.oneof(
    { weight: 6, arbitrary: fc.constant(acmeHost) },
    { weight: 4, arbitrary: fc.constant(networkHost) },
    { weight: 2, arbitrary: fc.constant(initechHost) },
    { weight: 1, arbitrary: fc.constantFrom(`nope.localhost:${portal.port}`, 'evil.example', `acme.localhost:${portal.port}.evil`) },
  ),
  cookie: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(cookieOf(browser), cookieOf(networkBrowser), cookieOf(secondFactor)) },
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: hostileString.map((v) => `multidesk_session=${v.replace(/[^\x21-\x7e]/g, '')}; a=b`) },
  ),
  origin: fc.constantFrom('same', 'same', 'other', 'none', 'null'),
  encoded: encodedParams(FIELDS, withPlausible(paramsOf(FIELDS), PLAUSIBLE)),
});

/** API routes answer errors as JSON with a code; pages answer with pages. */
const API_ROUTE = /^\/(oauth\/(token|revoke|desktop\/)|network\/|qr\/requests)/i;

function requestOf(c: WebCase) {
  const [method, path] = c.route;
  const headers: Record<string, string> = { host: c.host, accept: 'text/html,application/json' };
  if (c.cookie) headers.cookie = c.cookie;
  if (c.origin === 'same') headers.origin = `http://${c.host}`;
  if (c.origin === 'other') headers.origin = 'http://evil.example';
  if (c.origin === 'null') headers.origin = 'null';
  if (c.encoded.contentType) headers['content-type'] = c.encoded.contentType;
  const url = c.encoded.query ? `${path}?${c.encoded.query}` : path;
  return {
    method: method as 'GET' | 'POST',
    url,
    headers,
    ...(method === 'POST' && c.encoded.payload !== undefined ? { payload: c.encoded.payload } : {}),
  };
}
type WebCase = { route: [string, string]; host: string; cookie: string; origin: string; encoded: Encoded };

test('every page form, OAuth and network endpoint answers any input with 2xx, 3xx or 4xx, never 5xx; API errors are JSON', async () => {
  await fuzz(run, cases.routes, webCase, async (c) => {
    const request = requestOf(c);
    const what = () => describeRequest(request);
    try {
      const reply = await within(15_000, portal.app.inject(request));
      tally.status(reply.statusCode, what);
      if (
        reply.statusCode >= 400 &&
        API_ROUTE.test(c.route[1]) &&
        !isJsonError(reply.headers['content-type'] as string | undefined, reply.body)
      ) {
        tally.malformedError(() => `${reply.statusCode} ${reply.body.slice(0, 200)} for ${what()}`);
      }
    } catch (error) {
      tally.crash(error, what);
    }
  });
});

test('raw requests to the web routes over a socket answer, never 5xx', async () => {
  const rawCase = fc.record({
    method: httpMethod,
    path: pathOf(ROUTES.map(([, path]) => path)),
    host: fc.constantFrom(acmeHost, networkHost, 'evil.example'),
    headers: hostileHeaderLines,
    encoded: encodedParams(FIELDS),
  });
  await fuzz(run, cases.socket, rawCase, async (c) => {
    const { head, what } = rawHead(c);
    try {
      const answer = await rawHttp(portal.port, head, c.encoded.payload ?? '', 15_000);
      tally.status(answer.status === 0 ? 400 : answer.status, what);
    } catch (error) {
      tally.crash(error, what);
    }
  });
});

test('no input made a 5xx, a crash or a malformed error', () => tally.report());
