// The rewards engine as the gateway runs it (docs/rewards.md "Configuration"): its own journal LevelDB under
// `<dataDir>/rewards`, the treasury client over the configured ledger URLs, the paid-query store as its source and
// the gateway's ledger client for the RewardCycle receipt. On start it recovers what a crash left open, then runs
// a cycle every `rewards.intervalMs`; on close it stops the timer and lets a run in progress finish first.
// Without a treasury key (treasury.address only) it serves statements from the journal and pays nothing.
import { join } from 'node:path';
import { type Clock, type KeyPair, ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/GatewayConfig.ts';
import { type ProviderEarnings, providerEarnings } from './providerEarnings.ts';
import { RewardCycleJournal } from './RewardCycleJournal.ts';
import { type CycleOutcome, type PaidQuerySource, type ReceiptSubmitter, RewardEngine } from './RewardEngine.ts';
import { type RewardsStatus, rewardsStatus } from './RewardsStatus.ts';
import { TreasuryClient } from './TreasuryClient.ts';

export interface RewardsServiceDeps {
  config: GatewayConfig;
  queries: PaidQuerySource;
  receipts: ReceiptSubmitter;
  gatewayKey: KeyPair;
  /** Undefined: the key is held elsewhere (treasury.address only); no payouts from this gateway. */
  treasuryKey: KeyPair | undefined;
  clock: Clock;
  log: Logger;
}

interface Payer {
  treasury: TreasuryClient;
  engine: RewardEngine;
}

export class RewardsService {
  #closed = false;
  #recovering: Promise<void> | undefined;

  private constructor(
    readonly journal: RewardCycleJournal,
    private readonly payer: Payer | undefined,
    private readonly d: RewardsServiceDeps,
  ) {}

  static async open(d: RewardsServiceDeps): Promise<RewardsService> {
    const { config } = d;
    const journal = await RewardCycleJournal.open(join(config.dataDir, 'rewards'));
    if (!d.treasuryKey) return new RewardsService(journal, undefined, d);
    const treasury = new TreasuryClient(
      {
        l0Url: config.ledger.l0Url,
        l1Url: config.ledger.l1Url,
        // The local node serves the block-explorer subset on its L0 port (DESIGN.md section 5).
        beUrl: config.ledger.beUrl ?? config.ledger.l0Url,
      },
      d.treasuryKey.privateKey,
      { timeoutMs: config.ledger.timeoutMs },
    );
    const engine = new RewardEngine({
      journal,
      treasury,
      queries: d.queries,
      receipts: d.receipts,
      gatewayKey: d.gatewayKey,
      feeBps: config.rewards.feeBps,
      minPayout: BigInt(config.rewards.minPayoutBaseUnits),
      clock: d.clock,
      logger: d.log,
      confirmTimeoutMs: config.rewards.confirmTimeoutMs,
      pollMs: config.rewards.pollMs,
    });
    return new RewardsService(journal, { treasury, engine }, d);
  }

  /** The engine, for tests and tools; undefined without a treasury key. */
  get engine(): RewardEngine | undefined {
    return this.payer?.engine;
  }

  get treasuryAddress(): string {
    return this.payer?.treasury.address ?? (this.d.config.treasury.address as string);
  }

  /**
   * Recover open cycles in the background (the gateway must come up even while the ledger is down: ingest queues
   * meanwhile), then start the interval timer. A failed recovery is logged; the first timer run settles it.
   */
  start(): void {
    const p = this.payer;
    if (!p) return;
    this.#recovering = p.engine
      .recover()
      .then((out) => {
        if (out.length > 0) this.d.log.info({ cycles: out.map((o) => [o.cycle, o.state]) }, 'rewards: recovered');
      })
      .catch((err: unknown) => this.d.log.warn({ err }, 'rewards: recovery did not complete; the next run retries'))
      .finally(() => {
        if (!this.#closed && this.d.config.rewards.intervalMs > 0) p.engine.start(this.d.config.rewards.intervalMs);
      });
  }

  /** `datagraph rewards run`: throws GW_REWARD_CYCLE_BUSY while another run (timer, recovery) is going. */
  runNow(): Promise<CycleOutcome[]> {
    if (!this.payer) return Promise.reject(new ProtocolError('GW_REWARDS_DISABLED'));
    return this.payer.engine.runCycle();
  }

  status(): Promise<RewardsStatus> {
    const p = this.payer;
    return rewardsStatus(this.journal, {
      treasury: this.treasuryAddress,
      paysRewards: p !== undefined,
      treasuryBalance: () => (p ? p.treasury.balance() : Promise.reject(new Error('no treasury key'))),
      intervalMs: this.d.config.rewards.intervalMs,
      feeBps: this.d.config.rewards.feeBps,
      minPayout: BigInt(this.d.config.rewards.minPayoutBaseUnits),
      running: p?.engine.busy ?? false,
      lastRun: p?.engine.lastRun,
    });
  }

  earnings(provider: string, opts: { fromCycle?: number; toCycle?: number } = {}): Promise<ProviderEarnings> {
    return providerEarnings(this.journal, provider, opts);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.payer?.engine.stop();
    await this.#recovering;
    if (this.payer) {
      this.payer.engine.stop();
      await this.payer.engine.idle();
    }
    await this.journal.close();
  }
}
