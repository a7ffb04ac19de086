import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { requestLoggerFactory } from '../src/http/requestLogger.ts';

/** A Fastify app logging at `level` into `lines`, with one route that logs at every level and through a child. */
async function loggingApp(level: string, lines: Record<string, unknown>[]) {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = Fastify({ logger: { level, stream }, childLoggerFactory: requestLoggerFactory });
  app.get('/', async (request) => {
    request.log.info('route info');
    request.log.warn({ detail: 1 }, 'route warning');
    request.log.child({ part: 'inner' }).error('inner error');
    return { ok: true };
  });
  return app;
}

test('a request logs its warnings and errors with its request id, and nothing below the level', async () => {
  const lines: Record<string, unknown>[] = [];
  const app = await loggingApp('warn', lines);
  const reply = await app.inject({ method: 'GET', url: '/' });
  assert.equal(reply.statusCode, 200);
  const messages = lines.map((line) => line.msg);
  assert.deepEqual(messages, ['route warning', 'inner error']);
  const [warning, inner] = lines as [Record<string, unknown>, Record<string, unknown>];
  assert.equal(warning.detail, 1);
  assert.equal(typeof warning.reqId, 'string');
  assert.equal(inner.reqId, warning.reqId, 'a child of the request logger carries the request id');
  assert.equal(inner.part, 'inner');
  await app.close();
});

test("at level info, Fastify's request lines and the route's carry the same request id", async () => {
  const lines: Record<string, unknown>[] = [];
  const app = await loggingApp('info', lines);
  await app.inject({ method: 'GET', url: '/' });
  const messages = lines.map((line) => line.msg);
  for (const message of ['incoming request', 'route info', 'route warning', 'inner error', 'request completed']) {
    assert.ok(messages.includes(message), message);
  }
  const ids = new Set(lines.filter((line) => line.msg !== undefined && 'reqId' in line).map((line) => line.reqId));
  assert.equal(ids.size, 1);
  await app.close();
});
