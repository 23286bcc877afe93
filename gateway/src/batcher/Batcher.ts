// The batcher: accepted entries (commitments and field names, never values) wait in a journal; up to
// `maxEntries` of them, or whatever is there `maxDelayMs` after the oldest arrived, become one IngestBatch
// signed by the gateway key, moved from the journal into the ledger outbox in one atomic write (DESIGN.md
// section 1 step 7). An entry is thus always in exactly one of: pending journal, outbox batch, committed.
import { randomUUID } from 'node:crypto';
import {
  type Clock,
  type IngestBatch,
  type IngestEntry,
  type KeyPair,
  MAX_BATCH_ENTRIES,
  signValue,
} from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { LedgerOutbox } from '../ledger/LedgerOutbox.ts';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { GatewayStore, StoreOp } from '../store/GatewayStore.ts';

export interface BatcherOptions {
  maxEntries: number;
  maxDelayMs: number;
  /**
   * The provider's policy version as registered now. An entry made under an older version is refused by the
   * metagraph (MG_POLICY_VERSION_MISMATCH), and a refused entry sinks its whole batch (validateData judges whole
   * updates); such entries go in a batch of their own so they never hold other providers' entries back.
   */
  currentPolicyVersion?: (provider: string) => number | undefined;
}

export class Batcher {
  readonly #store: GatewayStore;
  readonly #outbox: LedgerOutbox;
  readonly #key: KeyPair;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  readonly #opts: BatcherOptions;
  #counter = 0;
  #pending = 0;
  #timer: { cancel(): void } | undefined;
  #cutting: Promise<void> | undefined;
  #closed = false;

  private constructor(
    store: GatewayStore,
    outbox: LedgerOutbox,
    key: KeyPair,
    clock: Clock,
    log: Logger,
    metrics: GatewayMetrics,
    opts: BatcherOptions,
  ) {
    this.#store = store;
    this.#outbox = outbox;
    this.#key = key;
    this.#clock = clock;
    this.#log = log;
    this.#metrics = metrics;
    this.#opts = { ...opts, maxEntries: Math.min(opts.maxEntries, MAX_BATCH_ENTRIES) };
  }

  static async load(
    store: GatewayStore,
    outbox: LedgerOutbox,
    key: KeyPair,
    clock: Clock,
    log: Logger,
    metrics: GatewayMetrics,
    opts: BatcherOptions,
  ): Promise<Batcher> {
    const b = new Batcher(store, outbox, key, clock, log, metrics, opts);
    const keys = await store.keys('pending');
    b.#pending = keys.length;
    b.#counter = Math.max(Number(keys.at(-1) ?? 0), (await store.get<number>('meta', 'pendingCounter')) ?? 0);
    b.#metrics.pendingEntries.set(b.#pending);
    if (b.#pending > 0) b.#schedule();
    return b;
  }

  /** Accepted entries not yet in a batch. */
  get pending(): number {
    return this.#pending;
  }

  /** Ops that journal one accepted entry; written atomically with the vault row by the ingest pipeline. */
  entryOps(entry: IngestEntry): StoreOp[] {
    const key = String(++this.#counter).padStart(15, '0');
    return [
      { type: 'put', sub: 'pending', key, value: entry },
      { type: 'put', sub: 'meta', key: 'pendingCounter', value: this.#counter },
    ];
  }

  /** After entries' ops are durable. */
  added(n: number): void {
    this.#pending += n;
    this.#metrics.pendingEntries.set(this.#pending);
    if (this.#pending >= this.#opts.maxEntries) void this.cut();
    else this.#schedule();
  }

  /** Drop journaled entries of a provider (revocation / erasure: never sent after that). */
  async dropProvider(provider: string): Promise<number> {
    await this.#cutting;
    const drop: StoreOp[] = [];
    for await (const [key, e] of this.#store.entries<IngestEntry>('pending'))
      if (e.provider === provider) drop.push({ type: 'del', sub: 'pending', key });
    if (drop.length > 0) await this.#store.write(drop);
    this.#pending -= drop.length;
    this.#metrics.pendingEntries.set(this.#pending);
    return drop.length;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.cut();
    }, this.#opts.maxDelayMs);
  }

  /** Cut batches from whatever is pending now. */
  cut(): Promise<void> {
    if (!this.#cutting) {
      this.#cutting = this.#cutAll().finally(() => {
        this.#cutting = undefined;
        if (this.#pending > 0) this.#schedule();
      });
    }
    return this.#cutting;
  }

  async #cutAll(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    while (this.#pending > 0 && !this.#closed) {
      const keys: string[] = [];
      const entries: IngestEntry[] = [];
      for await (const [k, e] of this.#store.entries<IngestEntry>('pending', { limit: this.#opts.maxEntries })) {
        keys.push(k);
        entries.push(e);
      }
      if (entries.length === 0) {
        this.#pending = 0;
        break;
      }
      const groups = new Map<string, IngestEntry[]>();
      for (const e of entries) {
        const current = this.#opts.currentPolicyVersion?.(e.provider);
        const group = current === undefined || current === e.policyVersion ? '' : `${e.provider}:${e.policyVersion}`;
        groups.set(group, [...(groups.get(group) ?? []), e]);
      }
      const journal = [...groups].map(([group, list]) => {
        const value: IngestBatch = {
          type: 'IngestBatch',
          v: 1,
          gateway: this.#key.address,
          batch: randomUUID(),
          entries: list,
        };
        if (group !== '')
          this.#log.warn(
            { batch: value.batch, entries: list.length },
            'batcher: entries under a superseded policy version batched apart',
          );
        return this.#outbox.enqueueOps({
          value,
          proofs: [signValue(this.#key.privateKey, this.#key.publicKey, value)],
        });
      });
      await this.#store.write([
        ...journal.flatMap((j) => j.ops),
        ...keys.map((key) => ({ type: 'del' as const, sub: 'pending' as const, key })),
      ]);
      this.#pending -= entries.length;
      this.#metrics.pendingEntries.set(this.#pending);
      for (const [, list] of groups) this.#metrics.batchEntries.observe(list.length);
      this.#log.debug({ batches: journal.length, entries: entries.length }, 'batcher: batches journaled');
      this.#outbox.added(journal.map((j) => j.item));
      if (this.#pending < this.#opts.maxEntries) break;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    await this.#cutting;
  }
}
