// The rewards engine (DESIGN.md section 4, issue 7): plans a cycle from the paid queries not yet distributed,
// journals it before anything is sent, then settles it against the ledger: each journaled transfer is looked up
// and sent only if the ledger has never seen it, or re-planned when another transaction took its place in the
// treasury's chain. Once every transfer is confirmed, the signed RewardCycle receipt goes to the data L1.
// The same settle step runs on start for cycles a crash left open, so nothing is paid twice or skipped.
import { randomUUID } from 'node:crypto';
import {
  type Clock,
  isDagAddress,
  type KeyPair,
  ProtocolError,
  type RewardCycle,
  type SignedDataUpdate,
  signValue,
} from '@datagraph/protocol';
import type { Logger } from 'pino';
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

/** Sends a signed data update to the data L1 (the gateway's LedgerClient has this shape). */
export interface ReceiptSubmitter {
  submit(update: SignedDataUpdate): Promise<'accepted' | 'duplicate'>;
}

/** Named points of a cycle, reported to `onStep` (operators' metrics; the crash tests kill the process there). */
export type RewardStep = 'planned' | 'posted' | 'confirmed' | 'paid' | 'receipted';

export interface RewardEngineOptions {
  journal: RewardCycleJournal;
  treasury: TreasuryLedger;
  queries: PaidQuerySource;
  receipts: ReceiptSubmitter;
  /** The gateway key that signs the RewardCycle receipt. */
  gatewayKey: KeyPair;
  feeBps: number;
  minPayout: bigint;
  clock: Clock;
  logger?: Logger;
  /** How long `runCycle` waits for snapshots to confirm the transfers before returning (the cycle stays open). */
  confirmTimeoutMs?: number;
  pollMs?: number;
  onStep?: (step: RewardStep, detail: { cycle: number; index?: number }) => void | Promise<void>;
}

export interface CycleOutcome {
  cycle: number;
  state: CycleRecord['state'];
  record: CycleRecord;
}

export class RewardEngine {
  readonly #o: RewardEngineOptions;
  #busy = false;
  #timer: { cancel(): void } | undefined;

  constructor(options: RewardEngineOptions) {
    this.#o = options;
  }

  /**
   * Settle every open cycle, then plan and settle a new one. Returns the outcome of every cycle touched
   * (empty when there was nothing to do). Throws GW_TREASURY_SHORT when the treasury cannot pay: nothing
   * is lost, the next run retries. Throws GW_REWARD_CYCLE_BUSY when a run is already going.
   */
  async runCycle(): Promise<CycleOutcome[]> {
    return this.#exclusive(async () => {
      const out = await this.#settleOpen();
      if (out.some((o) => o.state === 'planned')) return out; // keep the treasury chain in cycle order
      const planned = await this.#plan();
      if (planned) {
        const r = await this.#settle(planned);
        out.push({ cycle: r.cycle, state: r.state, record: r });
      }
      return out;
    });
  }

  /**
   * Reconcile what a crash left: settle every open cycle against the ledger (send what it never saw, re-plan
   * what can no longer land, send outstanding receipts) without planning a new one. Call on start.
   */
  async recover(): Promise<CycleOutcome[]> {
    return this.#exclusive(() => this.#settleOpen());
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new ProtocolError('GW_REWARD_CYCLE_BUSY');
    this.#busy = true;
    try {
      return await fn();
    } finally {
      this.#busy = false;
    }
  }

  async #settleOpen(): Promise<CycleOutcome[]> {
    const out: CycleOutcome[] = [];
    for (const open of await this.#o.journal.openCycles()) {
      const r = await this.#settle(open);
      out.push({ cycle: r.cycle, state: r.state, record: r });
      if (r.state === 'planned') break;
    }
    return out;
  }

  /** Run a cycle every `intervalMs` (default 10 minutes), logging failures and retrying on the next tick. */
  start(intervalMs = 600_000): void {
    const tick = (): void => {
      this.#timer = this.#o.clock.setTimeout(() => {
        this.runCycle()
          .catch((e: unknown) => this.#o.logger?.warn({ err: e }, 'rewards cycle did not complete; retrying next tick'))
          .finally(() => {
            if (this.#timer) tick();
          });
      }, intervalMs);
    };
    tick();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  async #plan(): Promise<CycleRecord | null> {
    const { journal, treasury, gatewayKey } = this.#o;
    const cycle = await journal.nextCycle();
    const all: PaidQuery[] = [];
    for await (const q of this.#o.queries.undistributed()) all.push(q);
    const done = await journal.distributed(all.map((q) => q.queryId));
    const queries = done.size === 0 ? all : all.filter((q) => !done.has(q.queryId));
    const allocation = allocateCycle({
      queries,
      carriedIn: await journal.carried(),
      feeBps: this.#o.feeBps,
      minPayout: this.#o.minPayout,
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
      plannedAt: this.#o.clock.now(),
      feeBps: this.#o.feeBps,
      minPayout: String(this.#o.minPayout),
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
    this.#o.logger?.info(
      { cycle, queries: record.queries, transfers: entries.length, payouts: record.totals.payouts },
      'rewards cycle journaled',
    );
    await this.#step('planned', { cycle });
    return record;
  }

  async #step(step: RewardStep, detail: { cycle: number; index?: number }): Promise<void> {
    await this.#o.onStep?.(step, detail);
  }

  /**
   * Settle a cycle. A failure once every transfer is confirmed (only the receipt missing) is logged and left on
   * the cycle record (`lastError`), not thrown: providers' next payouts are not held hostage to the receipt,
   * which every later run retries.
   */
  async #settle(record: CycleRecord): Promise<CycleRecord> {
    try {
      return await this.#settleUntil(record);
    } catch (e) {
      const now = await this.#o.journal.cycle(record.cycle);
      if (now?.state !== 'paid') throw e;
      this.#o.logger?.warn({ err: e, cycle: record.cycle }, 'RewardCycle receipt not accepted yet; retried next run');
      return now;
    }
  }

  /** Settle, polling until the cycle is receipted or the confirmation deadline passes. */
  async #settleUntil(start: CycleRecord): Promise<CycleRecord> {
    const deadline = this.#o.clock.now() + (this.#o.confirmTimeoutMs ?? 120_000);
    let record = start;
    for (;;) {
      record = await this.#settleOnce(record);
      if (record.state === 'receipted' || this.#o.clock.now() >= deadline) return record;
      await new Promise<void>((resolve) => this.#o.clock.setTimeout(resolve, this.#o.pollMs ?? 500));
    }
  }

  /** One pass over a cycle's transfers against the ledger; see docs/rewards.md "Journal and recovery". */
  async #settleOnce(start: CycleRecord): Promise<CycleRecord> {
    const { journal, treasury } = this.#o;
    let record = start;
    if (!record.queriesMarked) {
      const ids = (await journal.fees(record.cycle)).map((f) => f.queryId);
      await this.#o.queries.markDistributed(record.cycle, ids);
      record = { ...record, queriesMarked: true };
      await journal.updateCycle(record);
    }
    if (record.state === 'planned') {
      const live = (await journal.transfers(record.cycle)).filter((t) => t.state !== 'superseded');
      const open = live.filter((t) => t.state !== 'confirmed');
      const last = open[open.length - 1];
      if (last) {
        // Every live transfer is an ancestor of the last one in the treasury chain, and a snapshot never takes
        // a transaction before its parent: the last one confirmed means all are.
        const lastStatus = await treasury.status(last.hash);
        if (lastStatus === 'pending') return record;
        if (lastStatus === 'unknown') return this.#sendPass(record, live);
        await journal.updateTransfers(open.map((t) => ({ ...t, state: 'confirmed' as const })));
        await this.#step('confirmed', { cycle: record.cycle, index: last.index });
      }
      record = { ...record, state: 'paid', paidAt: this.#o.clock.now() };
      delete record.lastError;
      await journal.updateCycle(record);
      await this.#step('paid', { cycle: record.cycle });
    }
    if (record.state === 'paid') {
      try {
        await this.#o.receipts.submit(record.receipt);
      } catch (e) {
        return this.#fail(record, e);
      }
      record = { ...record, state: 'receipted', receiptedAt: this.#o.clock.now() };
      await journal.updateCycle(record);
      this.#o.logger?.info({ cycle: record.cycle, payoutRoot: record.payoutRoot }, 'rewards cycle paid and receipted');
      await this.#step('receipted', { cycle: record.cycle });
    }
    return record;
  }

  /**
   * Walk the live transfers in chain order, asking the ledger about each, and post those it has never seen
   * (docs/rewards.md "Journal and recovery"). Right after we posted one, the next (chained on it) cannot be on
   * the ledger yet, so it is posted without asking. 'posted' marks are journaled in groups: they only save
   * lookups, the ledger decides.
   */
  async #sendPass(start: CycleRecord, live: TransferEntry[]): Promise<CycleRecord> {
    const { journal, treasury } = this.#o;
    const marks: TransferEntry[] = [];
    const flush = async (): Promise<void> => {
      if (marks.length > 0) await journal.updateTransfers(marks.splice(0));
    };
    let justPosted = false;
    for (const [i, t] of live.entries()) {
      if (t.state === 'confirmed') continue;
      if (!justPosted) {
        const status = await treasury.status(t.hash);
        if (status === 'confirmed') {
          marks.push({ ...t, state: 'confirmed' });
          continue;
        }
        if (status === 'pending') continue;
        const head = await treasury.lastReference();
        if (head.ordinal !== t.parent.ordinal || head.hash !== t.parent.hash) {
          await flush();
          // Another transaction holds this transfer's place in the treasury chain, confirmed, after all of ours
          // before it: this one (and every later one, chained on it) can never be accepted. Sign them again
          // from the head (same payees and amounts, new parents and hashes), journal that, and go on.
          // Anything else means the chain ahead is still moving: look again on the next pass.
          if (
            head.ordinal >= t.ordinal &&
            (await this.#confirmedUpTo(live, i)) &&
            (await treasury.status(head.hash)) === 'confirmed' &&
            (await treasury.status(t.hash)) === 'unknown'
          ) {
            return this.#settleOnce(await this.#replan(start, live.slice(i), head));
          }
          return start;
        }
      }
      try {
        await treasury.post(t.signed);
      } catch (e) {
        await flush();
        return this.#fail(start, e);
      }
      await this.#step('posted', { cycle: t.cycle, index: t.index });
      marks.push({ ...t, state: 'posted' });
      justPosted = true;
      if (marks.length >= 200) await flush();
    }
    await flush();
    return start;
  }

  /** Whether every live transfer before position `i` is confirmed on the ledger. */
  async #confirmedUpTo(live: TransferEntry[], i: number): Promise<boolean> {
    const prev = live[i - 1];
    return (
      prev === undefined || prev.state === 'confirmed' || (await this.#o.treasury.status(prev.hash)) === 'confirmed'
    );
  }

  async #replan(
    record: CycleRecord,
    dead: TransferEntry[],
    head: { hash: string; ordinal: number },
  ): Promise<CycleRecord> {
    const signed = await this.#o.treasury.signTransfers(
      dead.map((t) => ({ destination: t.provider, amount: BigInt(t.amount) })),
      head,
    );
    let next = record.transferCount;
    const added: TransferEntry[] = signed.map((s) => ({
      cycle: record.cycle,
      index: next++,
      provider: s.destination,
      amount: String(s.amount),
      hash: s.hash,
      parent: s.parent,
      ordinal: s.ordinal,
      signed: s.signed,
      state: 'planned',
    }));
    const superseded = dead.map((t, i) => ({ ...t, state: 'superseded' as const, supersededBy: added[i]?.index }));
    const updated = { ...record, transferCount: next };
    await this.#o.journal.updateTransfers([...superseded, ...added], updated);
    this.#o.logger?.warn({ cycle: record.cycle, replanned: dead.length }, 'treasury chain moved: transfers re-planned');
    return updated;
  }

  async #fail(record: CycleRecord, e: unknown): Promise<never> {
    const err =
      e instanceof ProtocolError
        ? e
        : new ProtocolError('GW_INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
    await this.#o.journal.updateCycle({
      ...record,
      lastError: { code: err.code, message: err.message, at: this.#o.clock.now() },
    });
    throw err;
  }
}
