// GET /v1/catalog (DESIGN.md section 3 step 1).
import { Catalog } from '@datagraph/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const catalogRoutes: FastifyPluginAsyncZod<{ catalog: () => Promise<Catalog> }> = async (app, opts) => {
  app.get(
    '/v1/catalog',
    {
      schema: {
        tags: ['research'],
        summary: 'Fields, units, cadences, LOINC codes and how many committed rows and providers hold each',
        response: { 200: Catalog },
      },
    },
    async () => opts.catalog(),
  );
};
