// Provider registry (issue 5, docs/gateway.md "Provider REST API"). Bodies are handed to ProviderService raw: it
// verifies and journals them exactly as the provider signed them (before zod defaults), so no body schema here.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProviderService } from '../../registry/ProviderService.ts';
import type { Registry } from '../../registry/Registry.ts';
import { apiError } from '../apiErrors.ts';

const Params = z.object({ address: z.string() });

export const providersRoutes: FastifyPluginAsyncZod<{ providers: ProviderService; registry: Registry }> = async (
  app,
  { providers, registry },
) => {
  const tags = ['providers'];
  app.post(
    '/v1/providers',
    { schema: { tags, summary: 'Register a provider (SignedDataUpdate(RegisterProvider) + policyProof)' } },
    async (req, reply) => {
      const r = await providers.register(req.body);
      return reply.status(r.unchanged ? 200 : 201).send(r);
    },
  );
  app.post(
    '/v1/providers/:address/revoke',
    { schema: { tags, summary: 'Revoke consent (SignedDataUpdate(RevokeConsent))', params: Params } },
    async (req) => providers.stop(req.params.address, 'revoke', req.body),
  );
  app.post(
    '/v1/providers/:address/erase',
    { schema: { tags, summary: 'Erase data (SignedDataUpdate(EraseData))', params: Params } },
    async (req) => providers.stop(req.params.address, 'erase', req.body),
  );
  app.get(
    '/v1/providers/:address',
    {
      schema: {
        tags,
        summary: 'Status, policy and devices of a provider',
        params: Params,
      },
    },
    async (req, reply) => {
      const p = registry.provider(req.params.address);
      if (!p) return reply.status(404).send(apiError('GW_UNKNOWN_PROVIDER'));
      return {
        provider: p.provider,
        status: p.status,
        policyVersion: p.policy.version,
        devices: p.devices,
        fields: p.policy.fields,
        policy: p.policy,
      };
    },
  );
};
