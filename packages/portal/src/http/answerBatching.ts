import type { FastifyInstance, FastifyReply, onSendHookHandler } from 'fastify';

type Written = Parameters<onSendHookHandler>[3];

/**
 * The answers finished during one turn of the event loop are written together when it ends
 * (`setImmediate`), one after another, rather than each as soon as its handler returns.
 *
 * Why: a write to a connection whose reader is asleep wakes that reader, and on one machine (the
 * balancer in front of several instances, any local proxy, the benches' load generator) the kernel
 * does that inside the writer's system call. In bench/rest one such write cost the portal about
 * 18 µs at 18,000 answers a second, where bare Fastify's cost 7 µs at 40,000: between two of the
 * portal's answers the reader had gone back to sleep. Written back to back, the first answer of a
 * turn wakes the reader and the others find it awake.
 *
 * An answer waits only for the synchronous work of the requests read in the same turn, never for
 * I/O to arrive or a timer: with pending immediates the event loop does not block. Registered
 * first, this hook holds the answer before the others: their work (cookies, `connection: close`
 * on shutdown) runs when it is written, in the async context of the turn's end, not the
 * request's; nothing in the portal keeps request state in AsyncLocalStorage.
 */
export function batchAnswers(app: FastifyInstance): void {
  let held: Array<{ reply: FastifyReply; payload: unknown; write: Written }> = [];

  const writeAll = () => {
    const answers = held;
    held = [];
    for (const { reply, payload, write } of answers) {
      try {
        write(null, payload);
      } catch (error) {
        // One answer that cannot be written must not hold back the others of its turn, nor leave
        // its client waiting.
        reply.log.error({ err: error }, 'writing the answer failed');
        reply.raw.destroy();
      }
    }
  };

  app.addHook('onSend', (_request, reply, payload, write) => {
    if (held.length === 0) setImmediate(writeAll);
    held.push({ reply, payload, write });
  });
}
