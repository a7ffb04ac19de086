import type { FastifyInstance } from 'fastify';

// Placeholder until the webPages routes land.
export default async function webPages(_app: FastifyInstance): Promise<void> {}
