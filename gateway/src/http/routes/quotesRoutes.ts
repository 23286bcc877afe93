// POST /v1/quotes (DESIGN.md section 3 step 2): rows, providers, price and payTo for a query; refused with
// GW_QUOTE_BELOW_K when fewer than k providers would be released.
import { ApiError, Quote, QuoteRequest } from '@datagraph/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { QuoteService } from '../../research/QuoteService.ts';

export const quotesRoutes: FastifyPluginAsyncZod<{ quotes: QuoteService }> = async (app, { quotes }) => {
  app.post(
    '/v1/quotes',
    {
      schema: {
        tags: ['research'],
        summary: 'Price a dataset: committed rows of active, consenting providers; the quote pins the exact rows',
        body: QuoteRequest,
        response: { 201: Quote, 400: ApiError, 422: ApiError },
      },
    },
    async (req, reply) => reply.status(201).send(await quotes.quote(req.body)),
  );
};
