// The rewards journal (LevelDB): everything a cycle will do is written here, in one atomic batch, BEFORE
// anything is sent: the allocation (per-provider statements, fees, carried balances), the queries it
// distributes, the signed transfers with their parents and hashes, and the signed RewardCycle receipt.
// After a crash the engine reads the open cycles back and reconciles them against the ledger
// (docs/rewards.md "Journal and recovery"). Amounts are decimal strings of base units.
import { type ErrorCode, ProtocolError, type SignedDataUpdate } from '@datagraph/protocol';
import type { PostTransactionV2 } from '@stardust-collective/dag4-keystore';
import { Level } from 'level';
import type { AllocationTotals, CycleAllocation, QueryShare } from './allocateCycle.ts';
import type { TxRef } from './TreasuryClient.ts';

type Totals = Record<keyof AllocationTotals, string>;

export type CycleState = 'planned' | 'paid' | 'receipted';

export interface CycleRecord {
  cycle: number;
  /** Unique per plan: ties statements to the plan that committed (see #writeStatements). */
  planId: string;
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
  /**
   * Set when the engine can no longer tell what the ledger holds for this cycle (the L1 named a transfer by a
   * hash other than the journaled one): the cycle is not touched again until an operator clears this.
   */
  halted?: string;
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
  planId: string;
  provider: string;
  carriedIn: string;
  /** [queryId, rows, amount] in queryId order. */
  shares: [string, number, string][];
  earned: string;
  paid: string;
  carriedOut: string;
}

const SUBS = ['meta', 'cycles', 'tx', 'ptx', 'carry', 'fees', 'payouts'] as const;
/** Root-key prefix of the distributed-query index (sublevel keys start with '!', so no overlap). */
const DQ = 'dq:';
type SubName = (typeof SUBS)[number];
type Sub = ReturnType<Level<string, unknown>['sublevel']>;
type Op = { type: 'put'; sublevel: Sub; key: string; value: unknown } | { type: 'del'; sublevel: Sub; key: string };

const pad = (n: number): string => String(n).padStart(10, '0');

export class RewardCycleJournal {
  readonly #db: Level<string, unknown>;
  readonly #s: Record<SubName, Sub> & { stmtText: Sub };
  readonly #sync: boolean;

  private constructor(db: Level<string, unknown>, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
    const subs = Object.fromEntries(SUBS.map((n) => [n, db.sublevel<string, unknown>(n, { valueEncoding: 'json' })]));
    this.#s = {
      ...(subs as Record<SubName, Sub>),
      stmtText: db.sublevel<string, string>('stmt', { valueEncoding: 'utf8' }) as unknown as Sub,
    };
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
      const got = await this.#db.getMany(chunk.map((id) => `${DQ}${id}`));
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
    await this.#writeStatements(record, allocation);
    // A chained batch: each put is encoded into the native batch as it is made, so a cycle of 100,000 queries
    // does not hold an array of 100,000 operation objects (and is several times faster than an array batch).
    const b = this.#db.batch();
    const put = (sub: Sub, key: string, value: unknown): void => {
      b.put(key, value, { sublevel: sub } as never);
    };
    put(this.#s.cycles, c, record);
    put(this.#s.meta, 'nextCycle', record.cycle + 1);
    // The payout lines behind the receipt's payoutRoot (paid providers in address order), for payout proofs.
    put(
      this.#s.payouts,
      c,
      allocation.providers.filter((p) => p.paid > 0n).map((p) => [p.provider, p.paid.toString()]),
    );
    put(
      this.#s.fees,
      c,
      allocation.fees.map((f) => [f.queryId, f.amount.toString()]),
    );
    // The distributed-query index is the hot write: root keys (no sublevel prefixing per key).
    for (const id of allocation.queryIds) b.put(`${DQ}${id}`, record.cycle);
    for (const p of allocation.providers) {
      if (p.carriedOut > 0n) put(this.#s.carry, p.provider, p.carriedOut.toString());
      else if (p.carriedIn > 0n) b.del(p.provider, { sublevel: this.#s.carry } as never);
    }
    for (const t of transfers) for (const op of this.#transferOps(t)) this.#chain(b, op);
    await b.write({ sync: this.#sync });
  }

  // Statements are the bulk of a cycle (one line per provider and query: 1,000,000 for the bench): they are
  // written ahead of the commit batch, in chunks, so no single write holds them all. Each carries the plan id;
  // a statement whose plan id is not the committed cycle's (a plan that crashed before its commit, whose cycle
  // number was then reused) is ignored by readers and overwritten or left as garbage, never shown.
  async #writeStatements(record: CycleRecord, allocation: CycleAllocation): Promise<void> {
    const c = pad(record.cycle);
    let b = this.#db.batch();
    // JSON text made directly (1,000,000 share lines would otherwise be 1,000,000 little arrays first); query ids
    // are written raw when none needs escaping, which is checked once for the whole cycle.
    const rawIds = allocation.queryIds.every((id) => JSON.stringify(id) === `"${id}"`);
    for (const [i, p] of allocation.providers.entries()) {
      const parts = new Array<string>(p.shares.length);
      for (let k = 0; k < p.shares.length; k++) {
        const x = p.shares[k] as QueryShare;
        parts[k] = `[${rawIds ? `"${x.queryId}"` : JSON.stringify(x.queryId)},${x.rows},"${x.amount}"]`;
      }
      const text = `{"cycle":${record.cycle},"planId":${JSON.stringify(record.planId)},"provider":${JSON.stringify(p.provider)},"carriedIn":"${p.carriedIn}","shares":[${parts.join(',')}],"earned":"${p.earned}","paid":"${p.paid}","carriedOut":"${p.carriedOut}"}`;
      b.put(`${p.provider}!${c}`, text, { sublevel: this.#s.stmtText } as never);
      if (b.length >= 100 || i === allocation.providers.length - 1) {
        await b.write(); // made durable by the commit's synced write (one log)
        b = this.#db.batch();
      }
    }
    await b.close();
  }

  #chain(b: ReturnType<Level<string, unknown>['batch']>, op: Op): void {
    if (op.type === 'put') b.put(op.key, op.value, { sublevel: op.sublevel } as never);
    else b.del(op.key, { sublevel: op.sublevel } as never);
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
    const texts = (await this.#s.stmtText.values({ gte, lte }).all()) as string[];
    const out: ProviderCycleStatement[] = [];
    for (const t of texts) {
      const s = JSON.parse(t) as ProviderCycleStatement;
      if ((await this.cycle(s.cycle))?.planId === s.planId) out.push(s);
    }
    return out;
  }

  /** The platform fee taken from each query of a cycle. */
  async fees(cycle: number): Promise<{ queryId: string; amount: bigint }[]> {
    const v = (await this.#s.fees.get(pad(cycle))) as [string, string][] | undefined;
    return (v ?? []).map(([queryId, amount]) => ({ queryId, amount: BigInt(amount) }));
  }

  /** The cycle's payouts (paid providers in address order): the lines under the receipt's payoutRoot. */
  async payouts(cycle: number): Promise<{ provider: string; paid: bigint }[]> {
    const v = (await this.#s.payouts.get(pad(cycle))) as [string, string][] | undefined;
    return (v ?? []).map(([provider, amount]) => ({ provider, paid: BigInt(amount) }));
  }
}
