// One cycle as an operator or auditor sees it (`GET /v1/rewards/cycles/{cycle}`, for the HTTP engineer), and a
// provider's payout proof: their payout line and its Merkle path to the payoutRoot of the RewardCycle receipt on
// the ledger, so a provider can check their payout without trusting the gateway.
import { BaseUnits, Hex64, MerkleProof, merkleProof, ProtocolError } from '@datagraph/protocol';
import { z } from 'zod';
import { type PayoutLine, payoutLineCommitment, payoutLines } from './payoutRoot.ts';
import type { RewardCycleJournal } from './RewardCycleJournal.ts';

export const RewardCycleSummary = z
  .object({
    cycle: z.number().int().positive(),
    state: z.enum(['planned', 'paid', 'receipted']),
    plannedAt: z.number().int(),
    paidAt: z.number().int().optional(),
    receiptedAt: z.number().int().optional(),
    feeBps: z.number().int(),
    minPayout: BaseUnits,
    queries: z.number().int().nonnegative(),
    totals: z
      .object({
        payments: BaseUnits,
        fees: BaseUnits,
        earned: BaseUnits,
        payouts: BaseUnits,
        carriedIn: BaseUnits,
        carriedOut: BaseUnits,
      })
      .strict(),
    payoutRoot: Hex64,
    /** The platform fee of each query: reason code `fee`. */
    fees: z.array(z.object({ reason: z.literal('fee'), queryId: z.string(), amount: BaseUnits }).strict()),
    transfers: z.array(
      z
        .object({
          provider: z.string(),
          amount: BaseUnits,
          hash: Hex64,
          state: z.enum(['planned', 'posted', 'confirmed', 'superseded']),
        })
        .strict(),
    ),
    lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).strict().optional(),
  })
  .strict();
export type RewardCycleSummary = z.infer<typeof RewardCycleSummary>;

export async function rewardCycleSummary(journal: RewardCycleJournal, cycle: number): Promise<RewardCycleSummary> {
  const r = await journal.cycle(cycle);
  if (!r) throw new ProtocolError('GW_REWARD_CYCLE_NOT_FOUND', `no rewards cycle ${cycle}`);
  return {
    cycle: r.cycle,
    state: r.state,
    plannedAt: r.plannedAt,
    ...(r.paidAt === undefined ? {} : { paidAt: r.paidAt }),
    ...(r.receiptedAt === undefined ? {} : { receiptedAt: r.receiptedAt }),
    feeBps: r.feeBps,
    minPayout: r.minPayout,
    queries: r.queries,
    totals: r.totals,
    payoutRoot: r.payoutRoot,
    fees: (await journal.fees(cycle)).map((f) => ({
      reason: 'fee' as const,
      queryId: f.queryId,
      amount: String(f.amount),
    })),
    transfers: (await journal.transfers(cycle)).map((t) => ({
      provider: t.provider,
      amount: t.amount,
      hash: t.hash,
      state: t.state,
    })),
    ...(r.lastError ? { lastError: r.lastError } : {}),
  };
}

const PayoutLineSchema = z
  .object({ gateway: z.string(), cycle: z.number().int().positive(), provider: z.string(), amount: BaseUnits })
  .strict();
export const PayoutProof = z.object({ line: PayoutLineSchema, proof: MerkleProof, payoutRoot: Hex64 }).strict();
export type PayoutProof = z.infer<typeof PayoutProof>;

/**
 * A provider's payout line in a cycle with its Merkle proof: `verifyMerkleProof(payoutLineCommitment(line),
 * proof, root)` holds for the root in the cycle's RewardCycle receipt. Undefined when the provider was not paid.
 */
export async function payoutProof(
  journal: RewardCycleJournal,
  cycle: number,
  provider: string,
): Promise<PayoutProof | undefined> {
  const r = await journal.cycle(cycle);
  if (r?.receipt.value.type !== 'RewardCycle')
    throw new ProtocolError('GW_REWARD_CYCLE_NOT_FOUND', `no rewards cycle ${cycle}`);
  const lines = payoutLines(r.receipt.value.gateway, cycle, await journal.payouts(cycle));
  const index = lines.findIndex((l) => l.provider === provider);
  if (index < 0) return undefined;
  return {
    line: lines[index] as PayoutLine,
    proof: merkleProof(lines.map(payoutLineCommitment), index),
    payoutRoot: r.payoutRoot,
  };
}
