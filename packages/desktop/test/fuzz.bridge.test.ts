import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BRIDGE_COOKIE, BRIDGE_EVENTS_PATH, bridgeApi } from '@multidesk/protocol';
import {
  FUZZ_LIMITS,
  FuzzTally,
  fc,
  fuzz,
  fuzzRun,
  hostileBytes,
  hostileHeaderLines,
  hostileJsonText,
  httpMethod,
  isJsonError,
  jsonValue,
  keyOf,
  pathOf,
  rawHttp,
  truncate,
} from '../../portal/test/fuzzArbitraries.ts';
import { startTestPortal } from '../../portal/test/harness.ts';
import { startBridge } from '../src/core/bridge/bridgeServer.ts';
import { openCore } from '../src/core/core.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { signInAt } from './coreHarness.ts';

/**
 * Property: the desktop bridge answers any request — any path, method, header and body, with and
 * without its cookie, host and origin — within the timeout and never with a 5xx; its API's
 * errors (once a request is let in) are JSON with an error code.
 */

const run = fuzzRun(2000);
const tally = new FuzzTally('bridge', run);
const portal = await startTestPortal({ limits: FUZZ_LIMITS });
const profileDir = mkdtempSync(join(tmpdir(), 'multidesk-fuzz-profile-'));
const configDir = mkdtempSync(join(tmpdir(), 'multidesk-fuzz-config-'));
const uiDir = mkdtempSync(join(tmpdir(), 'multidesk-fuzz-ui-'));
mkdirSync(join(uiDir, 'assets'));
writeFileSync(join(uiDir, 'workspace.html'), '<!doctype html><title>Workspace</title>');
writeFileSync(join(uiDir, 'messenger.html'), '<!doctype html><title>Messenger</title>');
writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
// Nothing leaves the test: no browser opens, and the autostart entry (a settings switch) lands in a temporary folder.
const core = await openCore({
  profileDir,
  vault: new MemoryVault(),
  device: { name: 'Multidesk fuzz', os: 'Linux test', appVersion: '0.0.0' },
  openUrl: async () => {},
  env: { XDG_CONFIG_HOME: configDir, LANG: 'en_US.UTF-8' },
  ssoTimeoutMs: 2_000,
});
const account = await signInAt(core, portal.port, 'acme');
const bridge = await startBridge(core, uiDir, { openWindow: () => {} });
const host = new URL(bridge.origin).host;
const port = Number(new URL(bridge.origin).port);
const boot = await rawHttp(port, `GET ${new URL(bridge.bootUrl('workspace')).pathname} HTTP/1.1\r\nhost: ${host}`);
const secret = /multidesk_bridge=([^;]+)/.exec(boot.headers['set-cookie'] ?? '')?.[1] ?? '';
after(async () => {
  await bridge.close();
  await core.close();
  await portal.close();
  for (const dir of [profileDir, configDir, uiDir]) rmSync(dir, { recursive: true, force: true });
});

const ROUTES = Object.values(bridgeApi).map((route) => route.path);
const FIELDS = [
  ...new Set(Object.values(bridgeApi).flatMap((route) => Object.keys((route.request as { properties?: object }).properties ?? {}))),
];

/** Values that pass a route's schema and reach its handler; addresses only ever name the test portal or a closed port. */
const PLAUSIBLE: Record<string, readonly unknown[]> = {
  id: [account.id, 'no-such-account'],
  dialogId: ['chat1', '1', 'chat999999'],
  taskId: [1, 999_999, '1'],
  messageId: [1, 999_999],
  beforeId: [1, 0],
  clientId: ['no-such-client'],
  flow: ['no-such-flow'],
  address: [`acme.localhost:${portal.port}`, `nope.localhost:${portal.port}`, '127.0.0.1:1', 'not an address'],
  networkUrl: [`http://localhost:${portal.port}`, 'http://127.0.0.1:1', 'javascript:alert(1)'],
  portalUrl: [`http://acme.localhost:${portal.port}`, 'http://127.0.0.1:1'],
  url: [`http://acme.localhost:${portal.port}/rest/1/not-a-secret/`, 'http://127.0.0.1:1/rest/1/x/', 'file:///etc/passwd'],
  login: ['anna@example.com'],
  password: ['not-the-password'],
  text: ['hello', ''],
  viewing: [null, { id: account.id, dialogId: 'chat1' }],
  fields: [{ title: 'fuzz' }, {}],
  startAtLogin: [true, false],
  vault: ['file', 'keyring'],
};

/** A body for one route: its own fields, mostly with values its schema takes, sometimes hostile; plus strays. */
function routeBody(fields: readonly string[]): fc.Arbitrary<string> {
  const value = (field: string) =>
    PLAUSIBLE[field]
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(PLAUSIBLE[field] ?? [])) }, { weight: 1, arbitrary: jsonValue(keyOf(FIELDS)) })
      : jsonValue(keyOf(FIELDS));
  const all = fc.record(Object.fromEntries(fields.map((field) => [field, value(field)])));
  // Now and then one field is missing.
  const own = fc.tuple(
    all,
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 1, arbitrary: fc.subarray([...fields], { maxLength: Math.min(1, fields.length) }) },
    ),
  );
  return own.chain(([record, missing]) =>
    fc.array(fc.tuple(keyOf(FIELDS), jsonValue(keyOf(FIELDS))), { maxLength: 2 }).map((strays) => {
      const base: Record<string, unknown> = { ...record };
      for (const field of missing) delete base[field];
      return JSON.stringify({ ...Object.fromEntries(strays), ...base });
    }),
  );
}

const body = (fields: readonly string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: routeBody(fields) },
    { weight: 1, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: hostileBytes },
    { weight: 1, arbitrary: fc.constant('') },
  );

/** Which of the bridge's checks the request passes: all of them, or each one missed. */
const access = fc.constantFrom(
  'full',
  'full',
  'full',
  'full',
  'full',
  'full',
  'no-cookie',
  'wrong-cookie',
  'wrong-host',
  'wrong-origin',
  'no-origin',
);

const OTHER_PATHS = ['/workspace', '/messenger', '/assets/app.js', '/boot/no-such-token', BRIDGE_EVENTS_PATH, '/'];

const bridgeCase = fc.constantFrom(...Object.values(bridgeApi)).chain((route) =>
  fc.record({
    access,
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: httpMethod }),
    path: fc.oneof({ weight: 6, arbitrary: fc.constant(route.path) }, { weight: 2, arbitrary: pathOf([...ROUTES, ...OTHER_PATHS]) }),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      '',
    ),
    headers: hostileHeaderLines,
    upgrade: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    body: body(Object.keys((route.request as { properties?: object }).properties ?? {})),
  }),
);

test('every bridge route answers any request (with and without its cookie, host, origin) with 2xx-4xx, never 5xx', async () => {
  await fuzz(run, run.cases, bridgeCase, async (c) => {
    const lines = [
      `${c.method} ${c.path} HTTP/1.1`,
      `host: ${c.access === 'wrong-host' ? `localhost:${port}` : host}`,
      ...(c.access === 'no-cookie' ? [] : [`cookie: ${BRIDGE_COOKIE}=${c.access === 'wrong-cookie' ? 'x'.repeat(secret.length) : secret}`]),
      ...(c.access === 'no-origin' ? [] : [`origin: ${c.access === 'wrong-origin' ? 'http://evil.example' : bridge.origin}`]),
      ...(c.contentType ? [`content-type: ${c.contentType}`] : []),
      ...(c.upgrade
        ? ['upgrade: websocket', 'connection: Upgrade', 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version: 13']
        : []),
      ...c.headers,
    ];
    const head = lines.join('\r\n');
    const what = () => `${truncate(head, 400)} ${typeof c.body === 'string' ? truncate(c.body, 400) : `<bytes ${c.body.toString('hex')}>`}`;
    try {
      const answer = await rawHttp(port, head, c.body, 20_000);
      tally.status(answer.status === 0 ? 400 : answer.status, what);
      // Past the cookie, host and origin checks, the API answers its errors in JSON.
      const admitted = c.access === 'full' && c.method === 'POST' && !c.upgrade && answer.headers['content-type'] !== undefined;
      if (
        admitted &&
        answer.status >= 400 &&
        /^\/api\//.test(c.path) &&
        answer.status !== 401 &&
        !isJsonError(answer.headers['content-type'], answer.body)
      ) {
        tally.malformedError(() => `${answer.status} ${answer.body.slice(0, 200)} for ${what()}`);
      }
    } catch (error) {
      tally.crash(error, what);
    }
  });
});

test('no input made a 5xx, a crash or a malformed error', () => tally.report());
