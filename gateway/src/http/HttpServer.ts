// The one file that wraps fastify: the gateway's REST surface (provider registry, health, metrics) and the
// HTTP server that also carries MQTT over WebSocket at /mqtt. Errors are `{code, message}` with the
// ProtocolError's status; nothing else leaks.

import { isProtocolError } from '@datagraph/protocol';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { ProviderService } from '../registry/ProviderService.ts';
import type { Registry } from '../registry/Registry.ts';

export interface HttpDeps {
  log: Logger;
  metrics: GatewayMetrics;
  providers: ProviderService;
  registry: Registry;
  health: () => Record<string, unknown>;
}

export function buildHttpServer(d: HttpDeps) {
  const app = Fastify({
    loggerInstance: d.log.child({ component: 'http' }),
    bodyLimit: 256 * 1024,
    disableRequestLogging: true,
  });
  app.setErrorHandler((err, _req, reply) => {
    if (isProtocolError(err)) return reply.status(err.status).send(err.toJSON());
    const e = err as Error & { statusCode?: number };
    if (e.statusCode && e.statusCode < 500)
      return reply.status(e.statusCode).send({ code: 'PR_INVALID_JSON', message: e.message });
    d.log.error({ err: e.message }, 'http: internal error');
    return reply.status(500).send({ code: 'GW_INTERNAL', message: 'unexpected internal error' });
  });
  app.get('/healthz', async () => ({ ok: true, ...d.health() }));
  app.get('/metrics', async (_req, reply) =>
    reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics()),
  );
  app.post('/v1/providers', async (req, reply) => {
    const r = await d.providers.register(req.body);
    return reply.status(r.unchanged ? 200 : 201).send(r);
  });
  app.post<{ Params: { address: string } }>('/v1/providers/:address/revoke', async (req) =>
    d.providers.stop(req.params.address, 'revoke', req.body),
  );
  app.post<{ Params: { address: string } }>('/v1/providers/:address/erase', async (req) =>
    d.providers.stop(req.params.address, 'erase', req.body),
  );
  app.get<{ Params: { address: string } }>('/v1/providers/:address', async (req, reply) => {
    const p = d.registry.provider(req.params.address);
    if (!p)
      return reply
        .status(404)
        .send({ code: 'GW_UNKNOWN_PROVIDER', message: 'provider is not registered with this gateway' });
    return {
      provider: p.provider,
      status: p.status,
      policyVersion: p.policy.version,
      devices: p.devices,
      fields: p.policy.fields,
      policy: p.policy,
    };
  });
  return app;
}
