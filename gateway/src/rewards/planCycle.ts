// Planning a rewards cycle (docs/rewards.md "Journal and recovery", steps 2 and 3): read the paid queries not yet
// distributed, allocate, check the treasury can pay, sign every transfer from the treasury's last reference, sign
// the RewardCycle receipt, and write it all to the journal in one commit, before anything is sent.
import { randomUUID } from 'node:crypto';
import {
  type Clock,
  isDagAddress,
  type KeyPair,
  ProtocolError,
  type RewardCycle,
  signValue,
} from '@datagraph/protocol';
import { allocateCycle, type PaidQuery } from './allocateCycle.ts';
import { splitForDag4 } from './dag4Amount.ts';
import { payoutLines, payoutRoot } from './payoutRoot.ts';
import type { CycleRecord, RewardCycleJournal, TransferEntry } from './RewardCycleJournal.ts';
import type { TreasuryLedger } from './TreasuryClient.ts';

/** What the paid-query store provides (docs/rewards.md "Interfaces"). */
export interface PaidQuerySource {
  /** Paid, confirmed queries with every row they released; those already distributed may be included. */
  undistributed(): AsyncIterable<PaidQuery> | Iterable<PaidQuery>;
  /** Told once a cycle that distributes these queries is journaled. Must be idempotent. */
  markDistributed(cycle: number, queryIds: readonly string[]): Promise<void>;
}

export interface PlanDeps {
  journal: RewardCycleJournal;
  treasury: TreasuryLedger;
  queries: PaidQuerySource;
  gatewayKey: KeyPair;
  feeBps: number;
  minPayout: bigint;
  clock: Clock;
}

/**
 * Plan and journal the next cycle; null when there is nothing to distribute or pay. Throws GW_TREASURY_SHORT
 * (nothing journaled, nothing consumed) when the treasury cannot pay the cycle.
 */
export async function planCycle(d: PlanDeps): Promise<CycleRecord | null> {
  const { journal, treasury, gatewayKey } = d;
  const cycle = await journal.nextCycle();
  const all: PaidQuery[] = [];
  for await (const q of d.queries.undistributed()) all.push(q);
  const done = await journal.distributed(all.map((q) => q.queryId));
  const queries = done.size === 0 ? all : all.filter((q) => !done.has(q.queryId));
  const allocation = allocateCycle({
    queries,
    carriedIn: await journal.carried(),
    feeBps: d.feeBps,
    minPayout: d.minPayout,
  });
  const { totals } = allocation;
  if (allocation.queryIds.length === 0 && totals.payouts === 0n) return null;

  const balance = await treasury.balance();
  if (balance < totals.payouts) {
    throw new ProtocolError(
      'GW_TREASURY_SHORT',
      `treasury holds ${balance} base units, cycle ${cycle} pays out ${totals.payouts}: deferred`,
      { details: { cycle, balance: String(balance), payouts: String(totals.payouts) } },
    );
  }
  const bad = allocation.providers.filter((p) => p.paid > 0n && !isDagAddress(p.provider)).map((p) => p.provider);
  if (bad.length > 0) {
    throw new ProtocolError('GW_REWARD_BAD_INPUT', `paid queries name providers that are not DAG addresses`, {
      details: { providers: bad.slice(0, 10) },
    });
  }
  // The treasury paying itself is a no-op (dag4 refuses self-sends): its share stays where it is, as paid.
  const transfers = allocation.providers
    .filter((p) => p.paid > 0n && p.provider !== treasury.address)
    .flatMap((p) => splitForDag4(p.paid).map((amount) => ({ destination: p.provider, amount })));
  const signed = await treasury.signTransfers(transfers, await treasury.lastReference());

  const lines = payoutLines(gatewayKey.address, cycle, allocation.providers);
  const value: RewardCycle = {
    type: 'RewardCycle',
    v: 1,
    gateway: gatewayKey.address,
    cycle,
    payoutRoot: payoutRoot(lines),
    queries: allocation.queryIds.length,
    // `carried` is the balance still owed after this cycle (docs/rewards.md "Conservation").
    totals: {
      payments: String(totals.payments),
      payouts: String(totals.payouts),
      fees: String(totals.fees),
      carried: String(totals.carriedOut),
    },
  };
  const record: CycleRecord = {
    cycle,
    planId: randomUUID(),
    state: 'planned',
    plannedAt: d.clock.now(),
    feeBps: d.feeBps,
    minPayout: String(d.minPayout),
    queries: allocation.queryIds.length,
    totals: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, String(v)])) as CycleRecord['totals'],
    payoutRoot: value.payoutRoot,
    transferCount: signed.length,
    receipt: { value, proofs: [signValue(gatewayKey.privateKey, gatewayKey.publicKey, value)] },
    queriesMarked: false,
  };
  const entries: TransferEntry[] = signed.map((s, index) => ({
    cycle,
    index,
    provider: s.destination,
    amount: String(s.amount),
    hash: s.hash,
    parent: s.parent,
    ordinal: s.ordinal,
    signed: s.signed,
    state: 'planned',
  }));
  await journal.recordPlan(record, allocation, entries);
  return record;
}
