// GET /metrics: Prometheus text (docs/gateway.md "Operations").
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayMetrics } from '../../ops/GatewayMetrics.ts';

export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: GatewayMetrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    { config: { rateLimit: false }, schema: { tags: ['operations'], produces: ['text/plain'] } },
    async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
};
