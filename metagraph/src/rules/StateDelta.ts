// combine's outputs: the on-chain state that goes into a snapshot, and the calculated-state delta that
// every node applies to its own state (Tessellation keeps only the calculated state's hash on chain).
import { Hex64 } from '@datagraph/protocol';
import { z } from 'zod';
import { DeviceRecord, EntryRecord, ProviderRecord, QueryReceiptRecord, RewardCycleRecord } from './records.ts';

const Count = z.number().int().nonnegative();

export const StateDelta = z
  .object({
    ordinal: z.number().int().positive(),
    /** Hash of the state this delta applies to, and of the state it produces (a chain: see combine.ts). */
    previousHash: Hex64,
    hash: Hex64,
    /** New entries in snapshot order (index 0, 1, ...). */
    entries: z.array(EntryRecord),
    /** Full new records of every provider / device this snapshot changed, sorted by address (upserts). */
    providers: z.array(ProviderRecord),
    devices: z.array(DeviceRecord),
    queryReceipts: z.array(QueryReceiptRecord),
    rewardCycles: z.array(RewardCycleRecord),
  })
  .strict();
export type StateDelta = z.infer<typeof StateDelta>;

export const OnChainState = z
  .object({
    v: z.literal(1),
    ordinal: z.number().int().positive(),
    /** protocol merkleRoot over this snapshot's accepted commitments, in order (empty tree: SHA-256 of nothing). */
    entriesRoot: Hex64,
    /** What this snapshot accepted. */
    counts: z
      .object({
        updates: Count,
        entries: Count,
        registrations: Count,
        revocations: Count,
        erasures: Count,
        queryReceipts: Count,
        rewardCycles: Count,
      })
      .strict(),
    /** Totals after this snapshot. */
    totals: z.object({ entries: Count, providers: Count, devices: Count }).strict(),
    /** The calculated state's hash after this snapshot (StateDelta.hash). */
    calculatedStateHash: Hex64,
  })
  .strict();
export type OnChainState = z.infer<typeof OnChainState>;
