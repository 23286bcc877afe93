// What an operator sees of the rewards engine (`GET /v1/rewards/status`, `datagraph rewards status`): the
// treasury, the parameters, whether a run is going, the last run (a deferral such as GW_TREASURY_SHORT leaves no
// cycle behind, so it is only visible here) and the latest cycles with their states and last errors.
import { BaseUnits, DagAddress } from '@datagraph/protocol';
import { z } from 'zod';
import type { RewardCycleJournal } from './RewardCycleJournal.ts';
import type { LastRun } from './RewardEngine.ts';

const ErrorInfo = z.object({ code: z.string(), message: z.string() }).strict();

export const RewardsStatus = z
  .object({
    treasury: DagAddress,
    /** False when this gateway holds no treasury key (treasury.address only): statements only, no payouts. */
    paysRewards: z.boolean(),
    /** Confirmed treasury balance; absent when the ledger did not answer. */
    treasuryBalance: BaseUnits.optional(),
    intervalMs: z.number().int(),
    feeBps: z.number().int(),
    minPayout: BaseUnits,
    running: z.boolean(),
    lastRun: z
      .object({
        startedAt: z.number().int(),
        finishedAt: z.number().int(),
        cycles: z.array(z.object({ cycle: z.number().int(), state: z.string() }).strict()),
        error: ErrorInfo.optional(),
      })
      .strict()
      .optional(),
    /** Sum of balances carried to the next cycle. */
    carried: BaseUnits,
    cycles: z.array(
      z
        .object({
          cycle: z.number().int().positive(),
          state: z.enum(['planned', 'paid', 'receipted']),
          plannedAt: z.number().int(),
          paidAt: z.number().int().optional(),
          receiptedAt: z.number().int().optional(),
          queries: z.number().int(),
          payments: BaseUnits,
          payouts: BaseUnits,
          fees: BaseUnits,
          carriedOut: BaseUnits,
          lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).strict().optional(),
          halted: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type RewardsStatus = z.infer<typeof RewardsStatus>;

export async function rewardsStatus(
  journal: RewardCycleJournal,
  s: {
    treasury: string;
    paysRewards: boolean;
    treasuryBalance: () => Promise<bigint>;
    intervalMs: number;
    feeBps: number;
    minPayout: bigint;
    running: boolean;
    lastRun: LastRun | undefined;
  },
  opts: { limit?: number } = {},
): Promise<RewardsStatus> {
  const balance = await s.treasuryBalance().then(
    (b) => String(b),
    () => undefined,
  );
  let carried = 0n;
  for (const v of (await journal.carried()).values()) carried += v;
  const cycles = (await journal.cycles({ limit: opts.limit ?? 20 })).map((r) => ({
    cycle: r.cycle,
    state: r.state,
    plannedAt: r.plannedAt,
    ...(r.paidAt === undefined ? {} : { paidAt: r.paidAt }),
    ...(r.receiptedAt === undefined ? {} : { receiptedAt: r.receiptedAt }),
    queries: r.queries,
    payments: r.totals.payments,
    payouts: r.totals.payouts,
    fees: r.totals.fees,
    carriedOut: r.totals.carriedOut,
    ...(r.lastError ? { lastError: r.lastError } : {}),
    ...(r.halted ? { halted: r.halted } : {}),
  }));
  return {
    treasury: s.treasury,
    paysRewards: s.paysRewards,
    ...(balance === undefined ? {} : { treasuryBalance: balance }),
    intervalMs: s.intervalMs,
    feeBps: s.feeBps,
    minPayout: String(s.minPayout),
    running: s.running,
    ...(s.lastRun ? { lastRun: s.lastRun } : {}),
    carried: String(carried),
    cycles,
  };
}
