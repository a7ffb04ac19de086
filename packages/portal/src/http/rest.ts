import type { FastifyInstance } from 'fastify';

// Placeholder until the rest routes land.
export default async function rest(_app: FastifyInstance): Promise<void> {}
