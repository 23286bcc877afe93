// Paid queries (DESIGN.md section 3 steps 4 and 5): pay for a quote, follow the query, download its rows.
// Access to a query is bound to the bearer token returned when it was created.
import { ApiError, DatasetFormat, QueryRequest, QueryStatus, Uuid } from '@datagraph/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GatewayMetrics } from '../../ops/GatewayMetrics.ts';
import type { DatasetPreparer } from '../../research/DatasetPreparer.ts';
import { type DatasetStreamDeps, datasetStream } from '../../research/datasetStream.ts';
import { preparedDatasetStream } from '../../research/preparedDatasetStream.ts';
import type { QueryService } from '../../research/QueryService.ts';
import { queryStatus } from '../../research/QueryService.ts';
import type { QuoteRecord, ResearchStore } from '../../research/ResearchStore.ts';
import { apiError } from '../apiErrors.ts';

export interface QueriesRouteDeps {
  queries: QueryService;
  research: ResearchStore;
  dataset: DatasetStreamDeps;
  /** Prepared datasets (downloads read a query's file once it is ready, the vault before). */
  prepared?: DatasetPreparer;
  metrics?: Pick<GatewayMetrics, 'datasetDownloads'>;
}

const Params = z.object({ id: Uuid });
const auth: { security: Record<string, string[]>[] } = { security: [{ bearer: [] }, { payer: [] }] };

export const queriesRoutes: FastifyPluginAsyncZod<QueriesRouteDeps> = async (app, d) => {
  const tags = ['research'];
  app.post(
    '/v1/queries',
    {
      schema: {
        tags,
        summary: 'Pay for a quote with a tx hash or a signed transaction (forwarded to the currency L1)',
        description:
          '201 complete (with the token), 202 pending (payment not yet in a snapshot; GET the query later), or refused with GW_PAYMENT_SHORT, GW_PAYMENT_WRONG_DESTINATION, GW_PAYMENT_REUSED, GW_QUOTE_EXPIRED, GW_QUOTE_BELOW_K.',
        body: QueryRequest,
        response: { 200: QueryStatus, 201: QueryStatus, 202: QueryStatus, '4xx': ApiError },
      },
    },
    async (req, reply) => {
      const { status, created } = await d.queries.create(req.body);
      if (status.status === 'refused') {
        const code = (status.code ?? 'GW_INTERNAL') as Parameters<typeof apiError>[0];
        return reply
          .status(apiError(code).statusCode)
          .send(apiError(code, status.message, { queryId: status.queryId }));
      }
      return reply.status(status.status === 'pending' ? 202 : created ? 201 : 200).send(status);
    },
  );
  app.get(
    '/v1/queries/:id',
    {
      schema: {
        tags,
        summary: 'A query: status, rows, receipt',
        params: Params,
        ...auth,
        response: { 200: QueryStatus, '4xx': ApiError },
      },
    },
    async (req) => {
      const q = await d.queries.get(req.params.id, req.headers.authorization);
      return queryStatus(q, undefined, d.queries.datasetState(q.queryId));
    },
  );
  app.get(
    '/v1/queries/:id/data',
    {
      schema: {
        tags,
        summary: 'Stream the rows (NDJSON with a closing trailer line, or CSV); offset = released rows to skip',
        description:
          'Headers: x-dg-rows (rows recorded for the query), x-dg-source (prepared: read from the dataset prepared after payment; vault: read row by row from the vault, the same bytes); trailers x-dg-released and x-dg-withheld.',
        params: Params,
        querystring: z.object({
          format: DatasetFormat.default('ndjson'),
          offset: z.coerce.number().int().nonnegative().default(0),
        }),
        ...auth,
        response: { '4xx': ApiError },
      },
    },
    async (req, reply) => {
      const q = await d.queries.get(req.params.id, req.headers.authorization);
      if (q.status !== 'complete')
        return reply
          .status(409)
          .send(
            q.status === 'pending'
              ? apiError('GW_PAYMENT_PENDING')
              : apiError('GW_QUERY_NOT_READY', undefined, { code: q.code }),
          );
      const quote = (await d.research.quote(q.quoteId)) as QuoteRecord;
      const { format, offset } = req.query;
      let trailer: { released: number; withheld: number; nextOffset: number } | undefined;
      const request = {
        queryId: q.queryId,
        format,
        columns: quote.columns,
        offset,
        onEnd: (t: { released: number; withheld: number; nextOffset: number }) => {
          trailer = t;
        },
      };
      const file = d.prepared?.file(q.queryId);
      const stream = file ? preparedDatasetStream(d.dataset, request, file) : datasetStream(d.dataset, request);
      d.metrics?.datasetDownloads.inc({ source: file ? 'prepared' : 'vault', format });
      if (file)
        stream.once('error', (e) => {
          req.log.error({ queryId: q.queryId, err: e }, 'prepared dataset unreadable');
          void d.prepared?.discard(q.queryId, (e as Error).message);
        });
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('x-dg-source', file ? 'prepared' : 'vault')
        .header('x-dg-rows', String(q.rows))
        .trailer('x-dg-released', async () => String(trailer?.released ?? ''))
        .trailer('x-dg-withheld', async () => String(trailer?.withheld ?? ''));
      return reply.send(stream as never);
    },
  );
};
