// The rewards journal (LevelDB): everything a cycle will do is written here, in one atomic batch, BEFORE
// anything is sent: the allocation (per-provider statements, fees, carried balances), the queries it
// distributes, the signed transfers with their parents and hashes, and the signed RewardCycle receipt.
// After a crash the engine reads the open cycles back and reconciles them against the ledger
// (docs/rewards.md "Journal and recovery"). Amounts are decimal strings of base units.
import { type ErrorCode, ProtocolError, type SignedDataUpdate } from '@datagraph/protocol';
import type { PostTransactionV2 } from '@stardust-collective/dag4-keystore';
import { Level } from 'level';
import type { AllocationTotals, CycleAllocation } from './allocateCycle.ts';
import type { TxRef } from './TreasuryClient.ts';

type Totals = Record<keyof AllocationTotals, string>;

export type CycleState = 'planned' | 'paid' | 'receipted';

export interface CycleRecord {
  cycle: number;
  state: CycleState;
  plannedAt: number;
  paidAt?: number;
  receiptedAt?: number;
  feeBps: number;
  minPayout: string;
  queries: number;
  totals: Totals;
  payoutRoot: string;
  /** Transfer entries written so far (superseded ones included); the next index to use. */
  transferCount: number;
  receipt: SignedDataUpdate;
  /** Whether the query store was told these queries are distributed. */
  queriesMarked: boolean;
  lastError?: { code: ErrorCode; message: string; at: number };
}

export type TransferState = 'planned' | 'posted' | 'confirmed' | 'superseded';

export interface TransferEntry {
  cycle: number;
  index: number;
  provider: string;
  amount: string;
  hash: string;
  parent: TxRef;
  ordinal: number;
  signed: PostTransactionV2;
  state: TransferState;
  /** Set when re-planned: the index of the entry that carries this payment now. */
  supersededBy?: number;
}

/** One provider's part of one cycle: the source of statement lines (see statementLines.ts). */
export interface ProviderCycleStatement {
  cycle: number;
  provider: string;
  carriedIn: string;
  /** [queryId, rows, amount] in queryId order. */
  shares: [string, number, string][];
  earned: string;
  paid: string;
  carriedOut: string;
}

const SUBS = ['meta', 'cycles', 'tx', 'ptx', 'carry', 'dq', 'stmt', 'fees'] as const;
type SubName = (typeof SUBS)[number];
type Sub = ReturnType<Level<string, unknown>['sublevel']>;
type Op = { type: 'put'; sublevel: Sub; key: string; value: unknown } | { type: 'del'; sublevel: Sub; key: string };

const pad = (n: number): string => String(n).padStart(10, '0');

export class RewardCycleJournal {
  readonly #db: Level<string, unknown>;
  readonly #s: Record<SubName, Sub>;
  readonly #sync: boolean;

  private constructor(db: Level<string, unknown>, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
    this.#s = Object.fromEntries(
      SUBS.map((n) => [n, db.sublevel<string, unknown>(n, { valueEncoding: 'json' })]),
    ) as Record<SubName, Sub>;
  }

  /** `sync` (default true) fsyncs each write, so a journaled plan survives power loss, not only kill -9. */
  static async open(path: string, opts: { sync?: boolean } = {}): Promise<RewardCycleJournal> {
    const db = new Level<string, unknown>(path, { valueEncoding: 'json' });
    await db.open();
    return new RewardCycleJournal(db, opts.sync ?? true);
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async #write(ops: Op[]): Promise<void> {
    await this.#db.batch(ops as never, { sync: this.#sync });
  }

  async nextCycle(): Promise<number> {
    return ((await this.#s.meta.get('nextCycle')) as number | undefined) ?? 1;
  }

  /** Balances carried to the next cycle, by provider. */
  async carried(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for await (const [k, v] of this.#s.carry.iterator()) out.set(k as string, BigInt(v as string));
    return out;
  }

  /** Which of these query ids some journaled cycle already distributed. */
  async distributed(queryIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < queryIds.length; i += 10_000) {
      const chunk = queryIds.slice(i, i + 10_000);
      const got = await this.#s.dq.getMany(chunk);
      for (const [j, v] of got.entries()) if (v !== undefined) out.add(chunk[j] as string);
    }
    return out;
  }

  /** The one write that commits a cycle: allocation, distributed queries, carried balances, transfers, receipt. */
  async recordPlan(
    record: CycleRecord,
    allocation: CycleAllocation,
    transfers: readonly TransferEntry[],
  ): Promise<void> {
    if (record.cycle !== (await this.nextCycle()))
      throw new ProtocolError('GW_REWARD_CYCLE_BUSY', `cycle ${record.cycle} is not the next cycle`);
    const c = pad(record.cycle);
    const ops: Op[] = [
      { type: 'put', sublevel: this.#s.cycles, key: c, value: record },
      { type: 'put', sublevel: this.#s.meta, key: 'nextCycle', value: record.cycle + 1 },
      {
        type: 'put',
        sublevel: this.#s.fees,
        key: c,
        value: allocation.fees.map((f) => [f.queryId, f.amount.toString()]),
      },
    ];
    for (const id of allocation.queryIds) ops.push({ type: 'put', sublevel: this.#s.dq, key: id, value: record.cycle });
    for (const p of allocation.providers) {
      if (p.carriedOut > 0n)
        ops.push({ type: 'put', sublevel: this.#s.carry, key: p.provider, value: p.carriedOut.toString() });
      else if (p.carriedIn > 0n) ops.push({ type: 'del', sublevel: this.#s.carry, key: p.provider });
      const statement: ProviderCycleStatement = {
        cycle: record.cycle,
        provider: p.provider,
        carriedIn: p.carriedIn.toString(),
        shares: p.shares.map((s) => [s.queryId, s.rows, s.amount.toString()]),
        earned: p.earned.toString(),
        paid: p.paid.toString(),
        carriedOut: p.carriedOut.toString(),
      };
      ops.push({ type: 'put', sublevel: this.#s.stmt, key: `${p.provider}!${c}`, value: statement });
    }
    for (const t of transfers) ops.push(...this.#transferOps(t));
    await this.#write(ops);
  }

  async cycle(cycle: number): Promise<CycleRecord | undefined> {
    return (await this.#s.cycles.get(pad(cycle))) as CycleRecord | undefined;
  }

  /** Cycles newest first (for statements and operators). */
  async cycles(opts: { limit?: number } = {}): Promise<CycleRecord[]> {
    return (await this.#s.cycles.values({ reverse: true, limit: opts.limit ?? -1 }).all()) as CycleRecord[];
  }

  /** Cycles not yet receipted, oldest first. */
  async openCycles(): Promise<CycleRecord[]> {
    const out: CycleRecord[] = [];
    for await (const v of this.#s.cycles.values()) {
      const r = v as CycleRecord;
      if (r.state !== 'receipted') out.push(r);
    }
    return out;
  }

  async updateCycle(record: CycleRecord): Promise<void> {
    await this.#write([{ type: 'put', sublevel: this.#s.cycles, key: pad(record.cycle), value: record }]);
  }

  /** A cycle's transfer entries in index order (superseded ones included). */
  async transfers(cycle: number): Promise<TransferEntry[]> {
    const c = pad(cycle);
    return (await this.#s.tx.values({ gte: `${c}!`, lt: `${c}!\xff` }).all()) as TransferEntry[];
  }

  /** Write transfer entries (new or changed) and the cycle record together, atomically. */
  async updateTransfers(entries: readonly TransferEntry[], record?: CycleRecord): Promise<void> {
    const ops: Op[] = entries.flatMap((t) => this.#transferOps(t));
    if (record) ops.push({ type: 'put', sublevel: this.#s.cycles, key: pad(record.cycle), value: record });
    await this.#write(ops);
  }

  // A transfer entry, and the provider index (provider!cycle!index -> hash) that statements read.
  #transferOps(t: TransferEntry): Op[] {
    const ptxKey = `${t.provider}!${pad(t.cycle)}!${pad(t.index)}`;
    return [
      { type: 'put', sublevel: this.#s.tx, key: `${pad(t.cycle)}!${pad(t.index)}`, value: t },
      t.state === 'superseded'
        ? { type: 'del', sublevel: this.#s.ptx, key: ptxKey }
        : { type: 'put', sublevel: this.#s.ptx, key: ptxKey, value: t.hash },
    ];
  }

  /** Hashes of the live (not superseded) transfers paying `provider` in `cycle`. */
  async providerTransfers(provider: string, cycle: number): Promise<string[]> {
    const p = `${provider}!${pad(cycle)}!`;
    return (await this.#s.ptx.values({ gte: p, lt: `${p}\xff` }).all()) as string[];
  }

  /** A provider's per-cycle statements, oldest first, optionally within [fromCycle, toCycle]. */
  async statements(
    provider: string,
    opts: { fromCycle?: number; toCycle?: number } = {},
  ): Promise<ProviderCycleStatement[]> {
    const gte = `${provider}!${pad(opts.fromCycle ?? 0)}`;
    const lte = `${provider}!${pad(opts.toCycle ?? 9_999_999_999)}`;
    return (await this.#s.stmt.values({ gte, lte }).all()) as ProviderCycleStatement[];
  }

  /** The platform fee taken from each query of a cycle. */
  async fees(cycle: number): Promise<{ queryId: string; amount: bigint }[]> {
    const v = (await this.#s.fees.get(pad(cycle))) as [string, string][] | undefined;
    return (v ?? []).map(([queryId, amount]) => ({ queryId, amount: BigInt(amount) }));
  }
}
