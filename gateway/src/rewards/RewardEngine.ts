// The rewards engine (DESIGN.md section 4, issue 7): plans a cycle from the paid queries not yet distributed,
// journals it before anything is sent, then settles it against the ledger: each journaled transfer is looked up
// and sent only if the ledger has never seen it, or re-planned when another transaction took its place in the
// treasury's chain. Once every transfer is confirmed, the signed RewardCycle receipt goes to the data L1.
// The same settle step runs on start for cycles a crash left open, so nothing is paid twice or skipped.
import { type Clock, isProtocolError, type KeyPair, ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import { type PaidQuerySource, planCycle } from './planCycle.ts';
import type { CycleRecord, RewardCycleJournal } from './RewardCycleJournal.ts';
import { CycleSettler, type ReceiptSubmitter, type RewardStep } from './settleCycle.ts';
import type { TreasuryLedger } from './TreasuryClient.ts';

export type { PaidQuerySource } from './planCycle.ts';
export type { ReceiptSubmitter, RewardStep } from './settleCycle.ts';

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

/** The last run for operators (`datagraph rewards status`): a deferral such as GW_TREASURY_SHORT leaves no cycle. */
export interface LastRun {
  startedAt: number;
  finishedAt: number;
  cycles: { cycle: number; state: CycleRecord['state'] }[];
  error?: { code: string; message: string };
}

export class RewardEngine {
  readonly #o: RewardEngineOptions;
  readonly #settler: CycleSettler;
  #busy = false;
  #lastRun: LastRun | undefined;
  #current: Promise<unknown> | undefined;
  #timer: { cancel(): void } | undefined;

  constructor(options: RewardEngineOptions) {
    this.#o = options;
    this.#settler = new CycleSettler({ ...options, step: (step, detail) => this.#step(step, detail) });
  }

  /**
   * Settle every open cycle, then plan and settle a new one. Returns the outcome of every cycle touched
   * (empty when there was nothing to do). Throws GW_TREASURY_SHORT when the treasury cannot pay: nothing
   * is lost, the next run retries. Throws GW_REWARD_CYCLE_BUSY when a run is already going.
   */
  async runCycle(): Promise<CycleOutcome[]> {
    return this.#exclusive(async () => {
      const startedAt = this.#o.clock.now();
      const out: CycleOutcome[] = [];
      const finish = (error?: unknown): void => {
        this.#lastRun = {
          startedAt,
          finishedAt: this.#o.clock.now(),
          cycles: out.map((o) => ({ cycle: o.cycle, state: o.state })),
          ...(error === undefined
            ? {}
            : {
                error: {
                  code: isProtocolError(error) ? error.code : 'GW_INTERNAL',
                  message: error instanceof Error ? error.message : String(error),
                },
              }),
        };
      };
      try {
        out.push(...(await this.#settleOpen()));
        if (!out.some((o) => o.state === 'planned')) {
          // a cycle still waiting for its transfers keeps the next one back: the treasury chain stays in cycle order
          const planned = await this.#plan();
          if (planned) {
            const r = await this.#settle(planned);
            out.push({ cycle: r.cycle, state: r.state, record: r });
          }
        }
      } catch (e) {
        finish(e);
        throw e;
      }
      finish();
      return out;
    });
  }

  /** The last run that was not refused as busy (undefined before the first). */
  get lastRun(): LastRun | undefined {
    return this.#lastRun;
  }

  /** Whether a run (timer, on demand or recovery) is going now. */
  get busy(): boolean {
    return this.#busy;
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
    const run = fn();
    this.#current = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.#busy = false;
    }
  }

  /** Resolves once no run is going (for shutdown: a journal closed under a run would fail it half-way). */
  async idle(): Promise<void> {
    while (this.#busy) await this.#current;
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
    const record = await planCycle(this.#o);
    if (!record) return null;
    this.#o.logger?.info(
      { cycle: record.cycle, queries: record.queries, transfers: record.transferCount, payouts: record.totals.payouts },
      'rewards cycle journaled',
    );
    await this.#step('planned', { cycle: record.cycle });
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
      record = await this.#settler.settleOnce(record);
      if (record.state === 'receipted' || this.#o.clock.now() >= deadline) return record;
      await new Promise<void>((resolve) => this.#o.clock.setTimeout(resolve, this.#o.pollMs ?? 500));
    }
  }
}
