import type { FastifyInstance } from 'fastify';

// Placeholder until the oauth routes land.
export default async function oauth(_app: FastifyInstance): Promise<void> {}
