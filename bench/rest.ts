/**
 * REST throughput: `user.current` with token auth on a real portal (SQLite, demo data) against a
 * bare Fastify route answering a tiny JSON, both in this process, driven by the same in-process
 * HTTP load loop over loopback. Prints JSON, then one line a figure.
 *
 *   npx node bench/rest.ts [--seconds 5] [--concurrency 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '@multidesk/portal/src/app.ts';
import { desktopCodeExchange, exchangeCode, issueCode } from '@multidesk/portal/src/auth/oauthTokens.ts';
import { pkceChallenge } from '@multidesk/portal/src/auth/pkce.ts';
import { randomToken } from '@multidesk/portal/src/auth/secrets.ts';
import { seedDemo } from '@multidesk/portal/src/seed/demo.ts';
import { openDatabase } from '@multidesk/portal/src/store/database.ts';
import { findMembership } from '@multidesk/portal/src/store/members.ts';
import { findPortalByName } from '@multidesk/portal/src/store/portals.ts';
import { findUserByEmail } from '@multidesk/portal/src/store/users.ts';
import { DESKTOP_CLIENT_ID } from '@multidesk/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool, request } from 'undici';
import { percentile } from './percentile.ts';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '32' } },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const WARMUP_SECONDS = 0.5;

interface Target {
  origin: string;
  path: string;
  host: string;
}

interface Figures {
  requests: number;
  errors: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
}

/** `CONCURRENCY` workers, each sending one request after another until the time is up. */
async function drive(target: Target, seconds: number): Promise<Figures> {
  const pool = new Pool(target.origin, { connections: CONCURRENCY, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const response = await pool.request({ path: target.path, method: 'GET', headers: { host: target.host } });
        await response.body.text();
        if (response.statusCode === 200) latencies.push(performance.now() - sent);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: latencies.length,
    errors,
    requests_per_second: round(latencies.length / elapsed),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
  };
}

async function measure(target: Target): Promise<Figures> {
  await drive(target, WARMUP_SECONDS);
  return drive(target, SECONDS);
}

function originOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server is not listening');
  return `http://127.0.0.1:${address.port}`;
}

/** A portal over a fresh SQLite file with the demo data, and an access token of anna on acme. */
async function startPortal(dataDir: string) {
  const db = await openDatabase(dataDir);
  await seedDemo(db, Date.now());
  // The bench measures the server, not the per-user rate limit.
  const app = await buildApp({ db, limits: { restBurst: Number.POSITIVE_INFINITY } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = originOf(app);
  const host = `acme.localhost:${new URL(origin).port}`;

  const portal = (await findPortalByName(db, 'acme'))!;
  const user = (await findUserByEmail(db, 'anna@example.com'))!;
  const member = (await findMembership(db, portal.id, user.id))!;
  const verifier = randomToken();
  const { code } = await issueCode(app.ctx, {
    portalId: portal.id,
    memberId: member.id,
    clientId: DESKTOP_CLIENT_ID,
    codeChallenge: pkceChallenge(verifier),
    deviceName: 'bench',
  });
  const exchanged = await exchangeCode(
    app.ctx,
    desktopCodeExchange(portal, `http://${host}`, { clientId: DESKTOP_CLIENT_ID, code, codeVerifier: verifier }),
    { ip: '127.0.0.1', userAgent: 'bench' },
  );
  if (!exchanged.ok) throw new Error(`token exchange failed: ${exchanged.description}`);
  const target: Target = { origin, host, path: `/rest/user.current?auth=${exchanged.tokens.access_token}` };
  const close = async () => {
    await app.close();
    await db.destroy();
  };
  return { target, close };
}

async function startBare() {
  const app = Fastify({ logger: false });
  app.get('/ping', async () => ({ result: 'pong' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = originOf(app);
  return { target: { origin, host: new URL(origin).host, path: '/ping' }, close: () => app.close() };
}

const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-bench-rest-'));
try {
  const portal = await startPortal(dataDir);
  const check = await request(`${portal.target.origin}${portal.target.path}`, { headers: { host: portal.target.host } });
  const body = (await check.body.json()) as { result?: { EMAIL?: string } };
  if (check.statusCode !== 200 || body.result?.EMAIL !== 'anna@example.com') {
    await portal.close();
    throw new Error(`user.current answered ${check.statusCode}: ${JSON.stringify(body)}`);
  }
  const rest = await measure(portal.target);
  await portal.close();

  const bare = await startBare();
  const baseline = await measure(bare.target);
  await bare.close();

  const ratio = Math.round((rest.requests_per_second / baseline.requests_per_second) * 1000) / 1000;
  const report = {
    bench: 'rest',
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    node: process.version,
    user_current_token: rest,
    bare_fastify_json: baseline,
    throughput_ratio_rest_to_bare: ratio,
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(`user.current (token auth): ${rest.requests_per_second} req/s`);
  console.log(`user.current (token auth): p50 ${rest.p50_ms} ms`);
  console.log(`user.current (token auth): p99 ${rest.p99_ms} ms`);
  console.log(`bare Fastify JSON: ${baseline.requests_per_second} req/s`);
  console.log(`bare Fastify JSON: p50 ${baseline.p50_ms} ms`);
  console.log(`bare Fastify JSON: p99 ${baseline.p99_ms} ms`);
  console.log(`throughput ratio user.current / bare: ${ratio} (bare is ${Math.round((1 / ratio) * 10) / 10}x faster)`);
  if (rest.errors || baseline.errors) console.log(`errors: user.current ${rest.errors}, bare ${baseline.errors}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
