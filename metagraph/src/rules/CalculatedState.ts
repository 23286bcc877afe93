// The calculated state held in memory: a StateView that moves forward by applying combine's deltas in place,
// and serialises to one canonical JSON form (every list sorted) used by the vectors and by the node.
import { Hex64 } from '@datagraph/protocol';
import { z } from 'zod';
import { sortedBy, sortRewardCycles } from './compare.ts';
import { cycleKey } from './PendingState.ts';
import { DeviceRecord, EntryRecord, ProviderRecord, QueryReceiptRecord, RewardCycleRecord } from './records.ts';
import type { StateDelta } from './StateDelta.ts';
import { GENESIS_STATE_HASH, type StateView } from './StateView.ts';

export const CalculatedStateJson = z
  .object({
    v: z.literal(1),
    ordinal: z.number().int().nonnegative(),
    hash: Hex64,
    /** Sorted by address. */
    providers: z.array(ProviderRecord),
    /** Sorted by address. */
    devices: z.array(DeviceRecord),
    /** Sorted by (ordinal, index): the order they went on chain. */
    entries: z.array(EntryRecord),
    /** Sorted by query id. */
    queryReceipts: z.array(QueryReceiptRecord),
    /** Sorted by gateway, then cycle. */
    rewardCycles: z.array(RewardCycleRecord),
  })
  .strict();
export type CalculatedStateJson = z.infer<typeof CalculatedStateJson>;

const deviceJson = (d: DeviceRecord): DeviceRecord => ({
  address: d.address,
  publicKey: d.publicKey,
  provider: d.provider,
  lastSeq: d.lastSeq,
});

const entryJson = (e: EntryRecord): EntryRecord => ({
  commitment: e.commitment,
  id: e.id,
  provider: e.provider,
  device: e.device,
  gateway: e.gateway,
  seq: e.seq,
  cadence: e.cadence,
  window: { start: e.window.start, end: e.window.end },
  policyVersion: e.policyVersion,
  fields: e.fields,
  ordinal: e.ordinal,
  index: e.index,
});

export class CalculatedState implements StateView {
  private ordinalValue = 0;
  private hashValue = GENESIS_STATE_HASH;
  private readonly providers = new Map<string, ProviderRecord>();
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly entries = new Map<string, EntryRecord>();
  private readonly entryIds = new Set<string>();
  private readonly queryReceipts = new Map<string, QueryReceiptRecord>();
  private readonly payments = new Set<string>();
  private readonly rewardCycles = new Map<string, RewardCycleRecord>();

  get ordinal(): number {
    return this.ordinalValue;
  }

  get hash(): string {
    return this.hashValue;
  }

  totals(): { entries: number; providers: number; devices: number } {
    return { entries: this.entries.size, providers: this.providers.size, devices: this.devices.size };
  }

  provider(address: string): ProviderRecord | undefined {
    return this.providers.get(address);
  }

  device(address: string): DeviceRecord | undefined {
    return this.devices.get(address);
  }

  lastSeq(device: string): number {
    return this.devices.get(device)?.lastSeq ?? 0;
  }

  hasCommitment(commitment: string): boolean {
    return this.entries.has(commitment);
  }

  hasEntryId(id: string): boolean {
    return this.entryIds.has(id);
  }

  hasQueryReceipt(query: string): boolean {
    return this.queryReceipts.has(query);
  }

  hasPaymentTx(txHash: string): boolean {
    return this.payments.has(txHash);
  }

  hasRewardCycle(gateway: string, cycle: number): boolean {
    return this.rewardCycles.has(cycleKey(gateway, cycle));
  }

  /** The entry record of a commitment on chain. */
  entry(commitment: string): EntryRecord | undefined {
    return this.entries.get(commitment);
  }

  queryReceipt(query: string): QueryReceiptRecord | undefined {
    return this.queryReceipts.get(query);
  }

  rewardCycle(gateway: string, cycle: number): RewardCycleRecord | undefined {
    return this.rewardCycles.get(cycleKey(gateway, cycle));
  }

  /**
   * Move to the state after `delta`, in place. The delta must continue this state's hash chain
   * (delta.previousHash === this.hash and a higher ordinal); otherwise nothing changes and this throws.
   */
  apply(delta: StateDelta): void {
    if (delta.previousHash !== this.hashValue || delta.ordinal <= this.ordinalValue) {
      throw new Error(
        `delta for ordinal ${delta.ordinal} does not follow state ${this.ordinalValue} (hash ${this.hashValue.slice(0, 12)}...)`,
      );
    }
    for (const p of delta.providers) this.providers.set(p.address, p);
    for (const d of delta.devices) this.devices.set(d.address, d);
    for (const e of delta.entries) {
      this.entries.set(e.commitment, e);
      this.entryIds.add(e.id);
    }
    for (const r of delta.queryReceipts) {
      this.queryReceipts.set(r.query, r);
      this.payments.add(r.payment.txHash);
    }
    for (const r of delta.rewardCycles) this.rewardCycles.set(cycleKey(r.gateway, r.cycle), r);
    this.ordinalValue = delta.ordinal;
    this.hashValue = delta.hash;
  }

  /**
   * Canonical form: every list sorted, and every device and entry record's members in its schema's order (records
   * are built in other orders), so equal states give equal JSON text.
   */
  toJSON(): CalculatedStateJson {
    return {
      v: 1,
      ordinal: this.ordinalValue,
      hash: this.hashValue,
      providers: sortedBy(this.providers.values(), (p) => p.address),
      devices: sortedBy(this.devices.values(), (d) => d.address).map(deviceJson),
      entries: [...this.entries.values()].sort((a, b) => a.ordinal - b.ordinal || a.index - b.index).map(entryJson),
      queryReceipts: sortedBy(this.queryReceipts.values(), (r) => r.query),
      rewardCycles: sortRewardCycles(this.rewardCycles.values()),
    };
  }

  /** Rebuild a state from its JSON form (parsed with CalculatedStateJson; throws a ZodError when invalid). */
  static fromJSON(json: unknown): CalculatedState {
    const data = CalculatedStateJson.parse(json);
    const s = new CalculatedState();
    s.ordinalValue = data.ordinal;
    s.hashValue = data.hash;
    for (const p of data.providers) s.providers.set(p.address, p);
    for (const d of data.devices) s.devices.set(d.address, d);
    for (const e of data.entries) {
      s.entries.set(e.commitment, e);
      s.entryIds.add(e.id);
    }
    for (const r of data.queryReceipts) {
      s.queryReceipts.set(r.query, r);
      s.payments.add(r.payment.txHash);
    }
    for (const r of data.rewardCycles) s.rewardCycles.set(cycleKey(r.gateway, r.cycle), r);
    return s;
  }
}
