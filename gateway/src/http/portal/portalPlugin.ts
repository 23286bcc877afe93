// The provider portal (issue 8): serves the built front end at /portal/ (and the JSON the dashboard reads
// under /portal/api). Everything a provider changes (registration, pairing, consent, revoke, erase) is signed
// in the browser and posted to the public /v1/providers routes; the gateway only relays. These routes only
// prove key possession (a signed challenge, PortalSessions) and read the provider's own dashboard data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, ProtocolError } from '@datagraph/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from '../../registry/Registry.ts';
import type { ProviderEarnings } from '../../rewards/providerEarnings.ts';
import type { GatewayStore } from '../../store/GatewayStore.ts';
import type { Vault } from '../../vault/Vault.ts';
import { PortalSessions } from './PortalSessions.ts';
import { sharedByDay } from './sharedByDay.ts';

export interface PortalDeps {
  registry: Registry;
  vault: Vault;
  store: GatewayStore;
  clock: Clock;
  log: Logger;
  /** Provider statements from the rewards engine (RewardCycleJournal via providerEarnings); absent: not wired. */
  earnings?: (provider: string) => Promise<ProviderEarnings>;
  /** How long a portal session lasts (default 15 minutes; ignored when `sessions` is given). */
  sessionTtlMs?: number;
  /** Sessions shared with other routes (e.g. the earnings statement's providerAuthorizer); default: the portal's own. */
  sessions?: PortalSessions;
  /** Where the built front end is (default gateway/portal/dist, built on start when missing). */
  distDir?: string;
}

const DEFAULT_DIST = join(import.meta.dirname, '../../../portal/dist');
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

async function loadAssets(dir: string, log: Logger): Promise<Map<string, Buffer> | undefined> {
  try {
    // A development checkout has esbuild: (re)build when the bundle is missing or older than its sources.
    // A deployment without dev dependencies serves what was built ahead (docs/portal.md).
    const { buildPortalIfStale } = await import('../../../portal/buildPortal.ts');
    if (await buildPortalIfStale(dir)) log.info({ dir }, 'portal: front end built');
  } catch (err) {
    if (!existsSync(join(dir, 'app.js'))) {
      log.warn({ err: (err as Error).message }, 'portal: front end not built and could not be built');
      return undefined;
    }
  }
  return new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(dir, name))]));
}

export const portalPlugin: FastifyPluginAsync<{ deps: PortalDeps }> = async (app, opts) => {
  const deps = opts?.deps;
  // A server built without portal deps (some tests, a REST-only deployment) simply has no portal.
  if (!deps) return;
  const log = deps.log.child({ component: 'portal' });
  const sessions = deps.sessions ?? new PortalSessions(deps.clock, deps.sessionTtlMs ?? 15 * 60_000);
  const assets = await loadAssets(deps.distDir ?? DEFAULT_DIST, log);

  const sendAsset = (name: string) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const body = assets?.get(name);
    if (!body) throw new ProtocolError('GW_PORTAL_NOT_BUILT');
    return reply
      .type(ASSETS[name] as string)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
      )
      .send(body);
  };
  app.get('/portal', async (_req, reply) => reply.redirect('/portal/'));
  app.get('/portal/', sendAsset('index.html'));
  app.get('/portal/app.js', sendAsset('app.js'));
  app.get('/portal/app.css', sendAsset('app.css'));

  app.post<{ Body: { address?: unknown } }>('/portal/api/challenge', async (req) =>
    sessions.challenge(String(req.body?.address ?? '')),
  );
  app.post<{ Body: { challenge?: unknown; publicKey?: unknown; signature?: unknown } }>(
    '/portal/api/session',
    async (req) => {
      const b = req.body ?? {};
      if (typeof b.challenge !== 'string' || typeof b.publicKey !== 'string' || typeof b.signature !== 'string')
        throw new ProtocolError('PR_SCHEMA', 'give challenge, publicKey and signature');
      const s = sessions.open({ challenge: b.challenge, publicKey: b.publicKey, signature: b.signature });
      log.info({ provider: s.address }, 'portal: session opened');
      return s;
    },
  );
  app.delete('/portal/api/session', async (req, reply) => {
    sessions.close(req.headers.authorization);
    return reply.status(204).send();
  });

  /** Everything the dashboard shows, for the signed-in provider only. */
  app.get('/portal/api/dashboard', async (req) => {
    const { address, expiresAt } = sessions.require(req.headers.authorization);
    const p = deps.registry.provider(address);
    const earnings = deps.earnings ? await deps.earnings(address) : null;
    return {
      provider: address,
      session: { expiresAt },
      registration: p
        ? { status: p.status, policyVersion: p.policy.version, devices: p.devices, policy: p.policy }
        : null,
      shared: await sharedByDay(deps.store, deps.vault, address),
      earnings,
      usage: earnings ? usageOf(earnings) : null,
    };
  });
};

/** The queries that used the provider's rows, with what each paid them (query-share lines of their statements). */
function usageOf(e: ProviderEarnings): { queryId: string; cycle: number; rows: number; amount: string }[] {
  const out: { queryId: string; cycle: number; rows: number; amount: string }[] = [];
  for (const c of e.cycles)
    for (const l of c.lines)
      if (l.reason === 'query-share' && l.queryId)
        out.push({ queryId: l.queryId, cycle: c.cycle, rows: l.rows ?? 0, amount: l.amount });
  return out;
}
