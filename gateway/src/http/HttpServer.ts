// The one file that wraps fastify: the gateway's REST surface, one plugin per resource registered from one table,
// zod schemas from protocol through fastify-type-provider-zod, OpenAPI at /openapi.json and browsable docs at
// /docs (swagger-ui's assets are served from node_modules: no CDN), per-IP rate limits, request ids
// (`x-request-id` honoured when sane, generated otherwise, always echoed), and one error shape everywhere
// (apiErrors.ts). The same HTTP server carries MQTT over WebSocket at /mqtt (aedes hooks the upgrade event).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Catalog } from '@datagraph/protocol';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyPluginAsync, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { ProviderService } from '../registry/ProviderService.ts';
import type { Registry } from '../registry/Registry.ts';
import type { QuoteService } from '../research/QuoteService.ts';
import { apiError, installErrorHandling } from './apiErrors.ts';
import { type PortalDeps, portalPlugin } from './portal/portalPlugin.ts';
import { type RewardsRouteDeps, rewardsRoutes } from './rewards/rewardsRoutes.ts';
import { catalogRoutes } from './routes/catalogRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { metricsRoutes } from './routes/metricsRoutes.ts';
import { providersRoutes } from './routes/providersRoutes.ts';
import { type QueriesRouteDeps, queriesRoutes } from './routes/queriesRoutes.ts';
import { quotesRoutes } from './routes/quotesRoutes.ts';

export interface HttpDeps {
  log: Logger;
  metrics: GatewayMetrics;
  providers: ProviderService;
  registry: Registry;
  health: () => Record<string, unknown>;
  rateLimit: { max: number; windowMs: number };
  catalog: () => Promise<Catalog>;
  quotes: QuoteService;
  queries: QueriesRouteDeps;
  portal: PortalDeps;
  /** Provider statements and the rewards operator routes (docs/rewards.md); absent: not served. */
  rewards?: RewardsRouteDeps;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The plugin table: one plugin per resource, each with its own options. */
function plugins(d: HttpDeps): [FastifyPluginAsync<never>, unknown][] {
  return [
    [healthRoutes as never, { health: d.health }],
    [metricsRoutes as never, { metrics: d.metrics }],
    [providersRoutes as never, { providers: d.providers, registry: d.registry }],
    [catalogRoutes as never, { catalog: d.catalog }],
    [quotesRoutes as never, { quotes: d.quotes }],
    [queriesRoutes as never, d.queries],
    [portalPlugin as never, { deps: d.portal }],
    ...(d.rewards ? [[rewardsRoutes as never, d.rewards] as [FastifyPluginAsync<never>, unknown]] : []),
  ];
}

export function buildHttpServer(d: HttpDeps) {
  const app = Fastify({
    loggerInstance: d.log.child({ component: 'http' }),
    bodyLimit: 256 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app as never, d.log);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.register(swagger, {
    openapi: {
      info: {
        title: 'AI DataGraph gateway',
        description: 'Providers, catalogue, quotes, paid queries and dataset downloads (docs/researchers.md).',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'the token returned when the query was created' },
          payer: {
            type: 'apiKey',
            in: 'header',
            name: 'authorization',
            description:
              'DgPayer <publicKey>:<unixSeconds>:<signature over dg-query:{queryId}:{unixSeconds}> by the payer',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.register(rateLimit, {
    global: true,
    max: d.rateLimit.max,
    timeWindow: d.rateLimit.windowMs,
    allowList: (req) => /^\/(healthz|metrics|docs|openapi\.json)/.test(req.url),
    errorResponseBuilder: (_req, ctx) => ({
      ...apiError('GW_RATE_LIMITED', `rate limit of ${ctx.max} requests per ${ctx.after} exceeded: retry later`),
    }),
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  for (const [plugin, opts] of plugins(d)) app.register(plugin, opts as never);
  return app;
}
