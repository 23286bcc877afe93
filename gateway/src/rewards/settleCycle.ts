// Settling a journaled rewards cycle against the ledger (docs/rewards.md "Journal and recovery", steps 4 to 6):
// the ledger decides what was sent, never the journal's marks. Transfers the ledger never saw are sent as
// journaled (same hash); transfers whose place in the treasury chain was taken are re-signed and journaled again
// before they are sent; once all are confirmed the signed RewardCycle receipt goes to the data L1.
import { type Clock, ProtocolError, type SignedDataUpdate } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { PaidQuerySource } from './planCycle.ts';
import type { CycleRecord, RewardCycleJournal, TransferEntry } from './RewardCycleJournal.ts';
import type { TreasuryLedger } from './TreasuryClient.ts';

/** Sends a signed data update to the data L1 (the gateway's LedgerClient has this shape). */
export interface ReceiptSubmitter {
  submit(update: SignedDataUpdate): Promise<'accepted' | 'duplicate'>;
}

/** Named points of a cycle, reported to `onStep` (operators' metrics; the crash tests kill the process there). */
export type RewardStep = 'planned' | 'posted' | 'confirmed' | 'paid' | 'receipted';

export interface SettleDeps {
  journal: RewardCycleJournal;
  treasury: TreasuryLedger;
  queries: PaidQuerySource;
  receipts: ReceiptSubmitter;
  clock: Clock;
  logger?: Logger | undefined;
  step: (step: RewardStep, detail: { cycle: number; index?: number }) => Promise<void>;
}

export class CycleSettler {
  readonly #d: SettleDeps;

  constructor(deps: SettleDeps) {
    this.#d = deps;
  }

  /** One pass over a cycle's transfers against the ledger; see docs/rewards.md "Journal and recovery". */
  async settleOnce(start: CycleRecord): Promise<CycleRecord> {
    const { journal, treasury } = this.#d;
    let record = start;
    if (record.halted)
      throw new ProtocolError('GW_INTERNAL', `rewards cycle ${record.cycle} is halted: ${record.halted}`);
    if (!record.queriesMarked) {
      const ids = (await journal.fees(record.cycle)).map((f) => f.queryId);
      await this.#d.queries.markDistributed(record.cycle, ids);
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
        await this.#d.step('confirmed', { cycle: record.cycle, index: last.index });
      }
      record = { ...record, state: 'paid', paidAt: this.#d.clock.now() };
      delete record.lastError;
      await journal.updateCycle(record);
      await this.#d.step('paid', { cycle: record.cycle });
    }
    if (record.state === 'paid') {
      try {
        await this.#d.receipts.submit(record.receipt);
      } catch (e) {
        return this.#fail(record, e);
      }
      record = { ...record, state: 'receipted', receiptedAt: this.#d.clock.now() };
      delete record.lastError;
      await journal.updateCycle(record);
      this.#d.logger?.info({ cycle: record.cycle, payoutRoot: record.payoutRoot }, 'rewards cycle paid and receipted');
      await this.#d.step('receipted', { cycle: record.cycle });
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
    const { journal, treasury } = this.#d;
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
            return this.settleOnce(await this.#replan(start, live.slice(i), head));
          }
          return start;
        }
      }
      let hash: string;
      try {
        hash = await treasury.post(t.signed);
      } catch (e) {
        await flush();
        return this.#fail(start, e);
      }
      if (hash !== t.hash) {
        // Lookups by our hash would now say "unknown" for a transfer that is on the ledger, and a re-plan would
        // pay twice: stop this cycle for good instead.
        await flush();
        const halted = `the L1 named transfer ${t.index} ${hash}, the journal ${t.hash}`;
        return this.#fail({ ...start, halted }, new ProtocolError('GW_INTERNAL', halted));
      }
      await this.#d.step('posted', { cycle: t.cycle, index: t.index });
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
      prev === undefined || prev.state === 'confirmed' || (await this.#d.treasury.status(prev.hash)) === 'confirmed'
    );
  }

  async #replan(
    record: CycleRecord,
    dead: TransferEntry[],
    head: { hash: string; ordinal: number },
  ): Promise<CycleRecord> {
    const signed = await this.#d.treasury.signTransfers(
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
    await this.#d.journal.updateTransfers([...superseded, ...added], updated);
    this.#d.logger?.warn({ cycle: record.cycle, replanned: dead.length }, 'treasury chain moved: transfers re-planned');
    return updated;
  }

  async #fail(record: CycleRecord, e: unknown): Promise<never> {
    const err =
      e instanceof ProtocolError
        ? e
        : new ProtocolError('GW_INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
    await this.#d.journal.updateCycle({
      ...record,
      lastError: { code: err.code, message: err.message, at: this.#d.clock.now() },
    });
    throw err;
  }
}
