// Rewards over REST (issue 7, docs/rewards.md "HTTP routes"). Provider statements:
//   GET /v1/providers/{address}/earnings[?fromCycle&toCycle]   per cycle and per query, with reason codes
//   GET /v1/providers/{address}/earnings.csv                   the same as CSV
//   GET /v1/providers/{address}/earnings/{cycle}/proof         payout line + Merkle path to payoutRoot
// Operator routes (Authorization: Bearer <operator token>, GW_OPERATOR_UNAUTHORIZED otherwise):
//   POST /v1/rewards/cycles          run a cycle now (`datagraph rewards run`); 409 GW_REWARD_CYCLE_BUSY during a run
//   GET  /v1/rewards/status          treasury, parameters, last run (with its error), latest cycles
//   GET  /v1/rewards/cycles/{cycle}  one cycle: fees per query, transfers, payout root
// Statements are private: every statement route asks `authorizeProvider` first (providerAuth.ts: a request signed
// by the provider key, or a portal session when the gateway shares the portal's).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, ProtocolError } from '@datagraph/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { earningsCsv, ProviderEarnings } from '../../rewards/providerEarnings.ts';
import type { RewardsService } from '../../rewards/RewardsService.ts';
import { RewardsStatus } from '../../rewards/RewardsStatus.ts';
import { PayoutProof, payoutProof, RewardCycleSummary, rewardCycleSummary } from '../../rewards/rewardCycleSummary.ts';

export interface RewardsRouteDeps {
  rewards: RewardsService;
  operatorToken: string;
  /** Throws (a ProtocolError) unless the request may read `address`'s earnings (providerAuthorizer). */
  authorizeProvider: (authorization: string | undefined, address: string) => void | Promise<void>;
}

const Address = z.object({ address: z.string().min(1).max(64) });
const Range = z.object({
  fromCycle: z.coerce.number().int().positive().optional(),
  toCycle: z.coerce.number().int().positive().optional(),
});
const CycleParam = z.object({ cycle: z.coerce.number().int().positive() });

const RunResult = z
  .object({
    cycles: z.array(
      z
        .object({
          cycle: z.number().int().positive(),
          state: z.enum(['planned', 'paid', 'receipted']),
          queries: z.number().int(),
          payouts: z.string(),
          fees: z.string(),
          carriedOut: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export const rewardsRoutes: FastifyPluginAsyncZod<RewardsRouteDeps> = async (app, d) => {
  const expected = sha256(`Bearer ${d.operatorToken}`);
  const operator = async (req: { headers: { authorization?: string | undefined } }): Promise<void> => {
    // Compare digests: constant time, and no length leak.
    if (!timingSafeEqual(sha256(req.headers.authorization ?? ''), expected))
      throw new ProtocolError('GW_OPERATOR_UNAUTHORIZED');
  };
  const provider = async (req: { headers: { authorization?: string | undefined } }, address: string) =>
    d.authorizeProvider(req.headers.authorization, address);
  const statementTags = ['rewards'];
  const opTags = ['rewards (operator)'];
  const security = [{ bearer: [] }];

  app.get(
    '/v1/providers/:address/earnings',
    {
      schema: {
        tags: statementTags,
        summary: "A provider's earnings per cycle and per query (reason codes carried-in, query-share, paid, carried)",
        params: Address,
        querystring: Range,
        security,
        response: { 200: ProviderEarnings, 401: ApiError, 403: ApiError },
      },
    },
    async (req) => {
      await provider(req, req.params.address);
      return d.rewards.earnings(req.params.address, req.query);
    },
  );
  app.get(
    '/v1/providers/:address/earnings.csv',
    {
      schema: {
        tags: statementTags,
        summary: 'The earnings statement as CSV (amounts in base units and tokens, transfer hashes)',
        security,
        params: Address,
        querystring: Range,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      await provider(req, req.params.address);
      const e = await d.rewards.earnings(req.params.address, req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="earnings-${req.params.address}.csv"`)
        .send(earningsCsv(e));
    },
  );
  app.get(
    '/v1/providers/:address/earnings/:cycle/proof',
    {
      schema: {
        tags: statementTags,
        summary: "The provider's payout line of a cycle and its Merkle path to the RewardCycle payoutRoot",
        security,
        params: Address.extend(CycleParam.shape),
        response: { 200: PayoutProof, 401: ApiError, 403: ApiError, 404: ApiError },
      },
    },
    async (req) => {
      await provider(req, req.params.address);
      const p = await payoutProof(d.rewards.journal, req.params.cycle, req.params.address);
      if (!p)
        throw new ProtocolError(
          'GW_REWARD_CYCLE_NOT_FOUND',
          `${req.params.address} was not paid in cycle ${req.params.cycle}`,
        );
      return p;
    },
  );

  app.post(
    '/v1/rewards/cycles',
    {
      schema: {
        tags: opTags,
        security,
        summary: 'Run a rewards cycle now (settle open cycles, then plan and pay a new one)',
        response: { 200: RunResult, 401: ApiError, 409: ApiError, 503: ApiError },
      },
    },
    async (req) => {
      await operator(req);
      const out = await d.rewards.runNow();
      return {
        cycles: out.map((o) => ({
          cycle: o.cycle,
          state: o.state,
          queries: o.record.queries,
          payouts: o.record.totals.payouts,
          fees: o.record.totals.fees,
          carriedOut: o.record.totals.carriedOut,
        })),
      };
    },
  );
  app.get(
    '/v1/rewards/status',
    {
      schema: {
        tags: opTags,
        security,
        summary: 'Treasury, parameters, the last run and its error, the latest cycles',
        response: { 200: RewardsStatus, 401: ApiError },
      },
    },
    async (req) => {
      await operator(req);
      return d.rewards.status();
    },
  );
  app.get(
    '/v1/rewards/cycles/:cycle',
    {
      schema: {
        tags: opTags,
        security,
        summary: 'One cycle: parameters, totals, payoutRoot, the fee of each query, transfers and their states',
        params: CycleParam,
        response: { 200: RewardCycleSummary, 401: ApiError, 404: ApiError },
      },
    },
    async (req) => {
      await operator(req);
      return rewardCycleSummary(d.rewards.journal, req.params.cycle);
    },
  );
};
