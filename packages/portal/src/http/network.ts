import type { FastifyInstance } from 'fastify';

// Placeholder until the network routes land.
export default async function network(_app: FastifyInstance): Promise<void> {}
