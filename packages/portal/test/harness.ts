import './localhostDispatcher.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, LISTEN_BACKLOG } from '../src/app.ts';
import type { Limits } from '../src/http/context.ts';
import { type DemoSeedResult, seedDemo } from '../src/seed/demo.ts';
import type { SharedState } from '../src/shared/sharedState.ts';
import { type Db, openDatabase } from '../src/store/database.ts';

/** A clock the test moves by hand (token expiry, code lifetimes, rate-limit windows). */
export class TestClock {
  #offset = 0;
  now = (): number => Date.now() + this.#offset;
  advance(ms: number): void {
    this.#offset += ms;
  }
}

export interface TestPortal {
  app: FastifyInstance;
  db: Db;
  dataDir: string;
  port: number;
  clock: TestClock;
  demo: DemoSeedResult;
  /** Every request the server received, in order: lets a test prove a client went quiet. */
  requests: { host: string; method: string; path: string; at: number }[];
  /** `http://acme.localhost:PORT`, or the network's address without a name. */
  url(portal?: string): string;
  close(): Promise<void>;
}

/** A real portal server on a random loopback port over a fresh SQLite file, seeded with the demo data. */
export async function startTestPortal(
  options: { limits?: Partial<Limits>; port?: number; shared?: SharedState } = {},
): Promise<TestPortal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'multidesk-portal-test-'));
  const db = await openDatabase(dataDir);
  const clock = new TestClock();
  const demo = await seedDemo(db, clock.now());
  const app = await buildApp({
    db,
    now: clock.now,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.shared ? { shared: options.shared } : {}),
  });
  const requests: TestPortal['requests'] = [];
  app.addHook('onRequest', async (request) => {
    requests.push({ host: request.headers.host ?? '', method: request.method, path: request.url.split('?')[0] ?? '', at: Date.now() });
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0, backlog: LISTEN_BACKLOG });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    db,
    dataDir,
    port,
    clock,
    demo,
    requests,
    url: (portal) => `http://${portal ? `${portal}.` : ''}localhost:${port}`,
    close: async () => {
      await app.close();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
