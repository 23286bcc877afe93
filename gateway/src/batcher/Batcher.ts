// The batcher: accepted entries (commitments and field names, never values) wait in a journal; up to
// `maxEntries` of them, or whatever is there `maxDelayMs` after the oldest arrived, become one IngestBatch
// signed by the gateway key, moved from the journal into the ledger outbox in one atomic write (DESIGN.md
// section 1 step 7). An entry is thus always in exactly one of: pending journal, outbox batch, committed.
// The pending entries are also held in memory, in journal order, so a cut never reads them back from LevelDB
// (under load, an iterator that waits on the thread pool once per chunk held batches back for seconds).
import { randomUUID } from 'node:crypto';
import {
  type Clock,
  canonicalJson,
  dataSignFast,
  type IngestBatch,
  type IngestEntry,
  type KeyPair,
  MAX_BATCH_ENTRIES,
  sha256Hex,
  signedDataUpdateText,
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
  /** Durable pending entries by journal key, in key order. */
  readonly #pending = new Map<string, IngestEntry>();
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
    for await (const [k, e] of store.entries<IngestEntry>('pending')) b.#pending.set(k, e);
    const last = [...b.#pending.keys()].at(-1);
    b.#counter = Math.max(Number(last ?? 0), (await store.get<number>('meta', 'pendingCounter')) ?? 0);
    b.#metrics.pendingEntries.set(b.#pending.size);
    if (b.#pending.size > 0) b.#schedule();
    return b;
  }

  /** Accepted entries not yet in a batch. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Ops that journal one accepted entry, written atomically with the vault row by the ingest pipeline; `key` goes
   * to `added` once they are durable. (The counter itself is saved with each cut: while entries are pending, the
   * last key is the counter.)
   */
  entryOps(entry: IngestEntry): { ops: StoreOp[]; key: string } {
    const key = String(++this.#counter).padStart(15, '0');
    return { ops: [{ type: 'put', sub: 'pending', key, value: entry }], key };
  }

  /** After an entry's ops are durable (writes are applied in order, so keys arrive in key order). */
  added(key: string, entry: IngestEntry): void {
    this.#pending.set(key, entry);
    this.#metrics.pendingEntries.set(this.#pending.size);
    if (this.#pending.size >= this.#opts.maxEntries) void this.cut();
    else this.#schedule();
  }

  /** Drop journaled entries of a provider (revocation / erasure: never sent after that). */
  async dropProvider(provider: string): Promise<number> {
    await this.#cutting;
    const keys = [...this.#pending].filter(([, e]) => e.provider === provider).map(([k]) => k);
    // Out of memory first, so that no cut starting while the delete is written can still take them.
    for (const k of keys) this.#pending.delete(k);
    this.#metrics.pendingEntries.set(this.#pending.size);
    if (keys.length > 0)
      await this.#store.write([
        ...keys.map((key) => ({ type: 'del' as const, sub: 'pending' as const, key })),
        { type: 'put', sub: 'meta', key: 'pendingCounter', value: this.#counter },
      ]);
    return keys.length;
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
        if (this.#pending.size > 0) this.#schedule();
      });
    }
    return this.#cutting;
  }

  async #cutAll(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    while (this.#pending.size > 0 && !this.#closed) {
      const keys: string[] = [];
      const entries: IngestEntry[] = [];
      for (const [k, e] of this.#pending) {
        if (keys.length >= this.#opts.maxEntries) break;
        keys.push(k);
        entries.push(e);
      }
      const groups = new Map<string, IngestEntry[]>();
      for (const e of entries) {
        const current = this.#opts.currentPolicyVersion?.(e.provider);
        const group = current === undefined || current === e.policyVersion ? '' : `${e.provider}:${e.policyVersion}`;
        const list = groups.get(group);
        if (list) list.push(e);
        else groups.set(group, [e]);
      }
      const journal = [...groups].map(([group, list]) => {
        // members in canonical order, like the entries (toIngestEntry): canonicalJson writes it natively
        const value: IngestBatch = {
          batch: randomUUID(),
          entries: list,
          gateway: this.#key.address,
          type: 'IngestBatch',
          v: 1,
        };
        if (group !== '')
          this.#log.warn(
            { batch: value.batch, entries: list.length },
            'batcher: entries under a superseded policy version batched apart',
          );
        // One canonical form of the (large) batch for both its signature and the node's update hash.
        const text = canonicalJson(value);
        const proofs = [
          {
            id: this.#key.publicKey,
            signature: dataSignFast(this.#key.privateKey, Buffer.from(text, 'utf8').toString('base64')),
          },
        ];
        return this.#outbox.enqueueOps({ value, proofs }, sha256Hex(signedDataUpdateText(text, proofs)));
      });
      await this.#store.write([
        ...journal.flatMap((j) => j.ops),
        ...keys.map((key) => ({ type: 'del' as const, sub: 'pending' as const, key })),
        { type: 'put', sub: 'meta', key: 'pendingCounter', value: this.#counter },
      ]);
      for (const k of keys) this.#pending.delete(k);
      this.#metrics.pendingEntries.set(this.#pending.size);
      for (const [, list] of groups) this.#metrics.batchEntries.observe(list.length);
      this.#log.debug({ batches: journal.length, entries: entries.length }, 'batcher: batches journaled');
      this.#outbox.added(journal.map((j) => j.item));
      if (this.#pending.size < this.#opts.maxEntries) break;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    await this.#cutting;
  }
}
