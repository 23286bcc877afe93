// GET /healthz: liveness and queue depths for operators (docs/gateway.md "Operations").
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const healthRoutes: FastifyPluginAsyncZod<{ health: () => Record<string, unknown> }> = async (app, opts) => {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { tags: ['operations'], response: { 200: z.object({ ok: z.boolean() }).catchall(z.unknown()) } },
    },
    async () => ({ ok: true, ...opts.health() }),
  );
};
