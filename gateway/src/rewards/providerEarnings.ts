// Provider statements (issue 7: `GET /v1/providers/{address}/earnings` and its CSV export): per cycle, per
// query lines with reason codes, read from the rewards journal. Within a cycle the lines balance:
// carried-in + sum(query-share) = paid + carried. The HTTP route (gateway/src/http, not this package part)
// serves `ProviderEarnings` as its response schema and `earningsCsv` for `?format=csv`.
import { BaseUnits, formatTokens, Hex64 } from '@datagraph/protocol';
import { z } from 'zod';
import type { RewardCycleJournal } from './RewardCycleJournal.ts';

export const StatementReason = z.enum(['carried-in', 'query-share', 'paid', 'carried', 'fee']);
export type StatementReason = z.infer<typeof StatementReason>;

export const StatementLine = z
  .object({
    reason: StatementReason,
    /** For query-share: the query the rows were used by. */
    queryId: z.string().optional(),
    /** For query-share: how many of the provider's rows the query used. */
    rows: z.number().int().positive().optional(),
    amount: BaseUnits,
    /** For paid: the treasury transfers that carry it (more than one only above 10^15 base units). */
    txHashes: z.array(Hex64).optional(),
  })
  .strict();
export type StatementLine = z.infer<typeof StatementLine>;

export const CycleStatement = z
  .object({
    cycle: z.number().int().positive(),
    /** planned: journaled, transfers on their way; paid: every transfer confirmed; receipted: RewardCycle sent. */
    state: z.enum(['planned', 'paid', 'receipted']),
    plannedAt: z.number().int(),
    paidAt: z.number().int().optional(),
    lines: z.array(StatementLine),
  })
  .strict();
export type CycleStatement = z.infer<typeof CycleStatement>;

export const ProviderEarnings = z
  .object({
    provider: z.string(),
    totals: z
      .object({
        /** Sum of query shares over the cycles listed. */
        earned: BaseUnits,
        /** Sum of payouts over the cycles listed, confirmed or on their way (see each cycle's state). */
        paid: BaseUnits,
        /** Confirmed on the ledger: payouts of cycles in state paid or receipted. */
        paidConfirmed: BaseUnits,
        /** Owed now and carried to the next cycle (under the minimum payout). */
        carried: BaseUnits,
      })
      .strict(),
    cycles: z.array(CycleStatement),
  })
  .strict();
export type ProviderEarnings = z.infer<typeof ProviderEarnings>;

export async function providerEarnings(
  journal: RewardCycleJournal,
  provider: string,
  opts: { fromCycle?: number; toCycle?: number } = {},
): Promise<ProviderEarnings> {
  let earned = 0n;
  let paid = 0n;
  let paidConfirmed = 0n;
  const cycles: CycleStatement[] = [];
  for (const s of await journal.statements(provider, opts)) {
    const record = await journal.cycle(s.cycle);
    if (!record) continue;
    const lines: StatementLine[] = [];
    if (s.carriedIn !== '0') lines.push({ reason: 'carried-in', amount: s.carriedIn });
    for (const [queryId, rows, amount] of s.shares) lines.push({ reason: 'query-share', queryId, rows, amount });
    if (s.paid !== '0')
      lines.push({ reason: 'paid', amount: s.paid, txHashes: await journal.providerTransfers(provider, s.cycle) });
    if (s.carriedOut !== '0') lines.push({ reason: 'carried', amount: s.carriedOut });
    earned += BigInt(s.earned);
    paid += BigInt(s.paid);
    if (record.state !== 'planned') paidConfirmed += BigInt(s.paid);
    cycles.push({
      cycle: s.cycle,
      state: record.state,
      plannedAt: record.plannedAt,
      ...(record.paidAt === undefined ? {} : { paidAt: record.paidAt }),
      lines,
    });
  }
  const carried = (await journal.carried()).get(provider) ?? 0n;
  return {
    provider,
    totals: {
      earned: String(earned),
      paid: String(paid),
      paidConfirmed: String(paidConfirmed),
      carried: String(carried),
    },
    cycles,
  };
}

/** The CSV export: one line per statement line; amounts in base units and in tokens. */
export function earningsCsv(e: ProviderEarnings): string {
  const out = ['provider,cycle,cycle_state,reason,query_id,rows,amount_base_units,amount_tokens,tx_hashes'];
  for (const c of e.cycles) {
    for (const l of c.lines) {
      out.push(
        [
          e.provider,
          c.cycle,
          c.state,
          l.reason,
          l.queryId ?? '',
          l.rows ?? '',
          l.amount,
          formatTokens(BigInt(l.amount)),
          (l.txHashes ?? []).join(' '),
        ].join(','),
      );
    }
  }
  return `${out.join('\n')}\n`;
}
