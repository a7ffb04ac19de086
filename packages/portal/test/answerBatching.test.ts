import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { batchAnswers } from '../src/http/answerBatching.ts';

/** A Fastify server with the batching and `setUp`'s routes and hooks, listening on a free port. */
async function serverWith(setUp: (app: FastifyInstance) => void): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: false });
  batchAnswers(app);
  setUp(app);
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  after(() => app.close());
  return { app, origin };
}

describe('answers are written when their turn of the event loop ends', () => {
  test('an answer is written after the work its turn had queued, not as soon as its handler returns', async () => {
    const order: string[] = [];
    const { origin } = await serverWith((app) => {
      app.get('/', async () => {
        setImmediate(() => order.push('the turn ended'));
        return { ok: true };
      });
      // Hooks after the batching's run when the answer is written.
      app.addHook('onSend', (_request, _reply, payload, done) => {
        order.push('written');
        done(null, payload);
      });
    });
    const response = await fetch(`${origin}/`);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(order, ['the turn ended', 'written']);
  });

  test('many requests at once on a few keep-alive connections each get their own answer', async () => {
    const { origin } = await serverWith((app) => {
      app.get('/echo/:n', async (request) => ({ n: Number((request.params as { n: string }).n) }));
    });
    const pool = new Pool(origin, { connections: 4, pipelining: 4 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, n) => {
          const { statusCode, body } = await pool.request({ path: `/echo/${n}`, method: 'GET' });
          return { statusCode, body: (await body.json()) as { n: number } };
        }),
      );
      answers.forEach(({ statusCode, body }, n) => {
        assert.equal(statusCode, 200);
        assert.equal(body.n, n);
      });
    } finally {
      await pool.close();
    }
  });

  test('an answer that cannot be written closes its connection and does not hold back the others', async () => {
    const { origin } = await serverWith((app) => {
      app.get('/:which', async (request, reply) => {
        const { which } = request.params as { which: string };
        // A header Node refuses (a line break in its value) makes the write itself throw.
        if (which === 'broken') reply.header('x-broken', 'a\nb');
        return { which };
      });
    });
    const [broken, fine] = await Promise.allSettled([fetch(`${origin}/broken`), fetch(`${origin}/fine`)]);
    assert.equal(broken.status, 'rejected', 'the broken answer closed its connection');
    assert.equal(fine.status, 'fulfilled');
    assert.deepEqual(await fine.value.json(), { which: 'fine' });
    // The server still answers afterwards.
    assert.deepEqual(await (await fetch(`${origin}/again`)).json(), { which: 'again' });
  });
});
