// The journal of everything this gateway sends to the metagraph (ingest batches, registrations, revocations),
// in order. An item is written here, durably, with its final signed form *before* it is sent; a crash at any
// point therefore resends the very same update (same hash), which the node dedupes, and nothing is lost.
// An item leaves the journal only once a snapshot is seen to carry it (DESIGN.md section 1 step 7, invariant 2).
import { type Clock, hashCanonical, type SignedDataUpdate } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { GatewayStore, StoreOp } from '../store/GatewayStore.ts';
import { type LedgerClient, LedgerError } from './LedgerClient.ts';

export interface OutboxItem {
  key: string;
  /** The node's update hash: SHA-256 of the canonical JSON of the signed update. */
  hash: string;
  signed: SignedDataUpdate;
  state: 'queued' | 'sent' | 'rejected';
  createdAt: number;
  sentAt?: number;
  /** Latest snapshot ordinal when last sent: if no snapshot after a few more carries it, send it again. */
  sentAtOrdinal?: number;
  attempts: number;
  reason?: string;
}

export interface OutboxOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  commitPollMs: number;
  /** Snapshots to wait for an item before sending it again (the node may have dropped it in validateData). */
  resendAfterSnapshots: number;
  /** Sends without any snapshot carrying the update, after which it is parked as `rejected` for an operator. */
  maxSends: number;
}

export class LedgerOutbox {
  readonly #store: GatewayStore;
  readonly #ledger: LedgerClient;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  readonly #opts: OutboxOptions;
  readonly #items = new Map<string, OutboxItem>();
  #counter = 0;
  #scanned: number | undefined;
  /** The latest snapshot ordinal the commit poll saw (it asks every commitPollMs). */
  #latestSeen: number | undefined;
  #sending = false;
  #retryDelay = 0;
  #retryTimer: { cancel(): void } | undefined;
  #pollTimer: { cancel(): void } | undefined;
  #polling = false;
  #closed = false;
  /** Called once per item when a snapshot carries it, with every data update that snapshot accepted (in order). */
  onCommitted: (item: OutboxItem, ordinal: number, snapshotUpdates: readonly SignedDataUpdate[]) => Promise<void> =
    async () => {};

  private constructor(
    store: GatewayStore,
    ledger: LedgerClient,
    clock: Clock,
    log: Logger,
    metrics: GatewayMetrics,
    opts: OutboxOptions,
  ) {
    this.#store = store;
    this.#ledger = ledger;
    this.#clock = clock;
    this.#log = log;
    this.#metrics = metrics;
    this.#opts = opts;
  }

  static async load(
    store: GatewayStore,
    ledger: LedgerClient,
    clock: Clock,
    log: Logger,
    metrics: GatewayMetrics,
    opts: OutboxOptions,
  ): Promise<LedgerOutbox> {
    const o = new LedgerOutbox(store, ledger, clock, log, metrics, opts);
    for await (const [key, item] of store.entries<OutboxItem>('batches')) {
      // After a restart we cannot know whether the last send reached the node: send again (the node dedupes).
      o.#items.set(key, { ...item, state: item.state === 'rejected' ? 'rejected' : 'queued' });
      o.#counter = Math.max(o.#counter, Number(key));
    }
    o.#scanned = await store.get<number>('meta', 'scannedOrdinal');
    o.#gauge();
    if (o.#items.size > 0)
      log.info({ items: o.#items.size }, 'ledger outbox: resending journaled updates after restart');
    return o;
  }

  /**
   * Ops that journal `signed` for sending; apply them atomically with whatever produced it, then `kick()`.
   * `hash`, when the caller has it already, must be `hashCanonical(signed)`.
   */
  enqueueOps(signed: SignedDataUpdate, hash?: string): { ops: StoreOp[]; item: OutboxItem } {
    const key = String(++this.#counter).padStart(12, '0');
    const item: OutboxItem = {
      key,
      hash: hash ?? hashCanonical(signed),
      signed,
      state: 'queued',
      createdAt: this.#clock.now(),
      attempts: 0,
    };
    return { ops: [{ type: 'put', sub: 'batches', key, value: item }], item };
  }

  /** Make journaled items known to the sender (after their ops are durable) and start sending. */
  added(items: OutboxItem[]): void {
    for (const i of items) this.#items.set(i.key, i);
    this.#gauge();
    this.kick();
  }

  /** Journal and send one update now (registrations, revocations). */
  async enqueue(signed: SignedDataUpdate): Promise<OutboxItem> {
    const { ops, item } = this.enqueueOps(signed);
    await this.#store.write(ops);
    this.added([item]);
    return item;
  }

  pending(): { queued: number; sent: number; rejected: number } {
    const n = { queued: 0, sent: 0, rejected: 0 };
    for (const i of this.#items.values()) n[i.state]++;
    return n;
  }

  start(): void {
    this.kick();
    this.#schedulePoll();
  }

  kick(): void {
    if (this.#sending || this.#closed || this.#retryTimer) return;
    void this.#sendAll();
  }

  async #sendAll(): Promise<void> {
    this.#sending = true;
    try {
      for (;;) {
        const next = [...this.#items.values()].find((i) => i.state === 'queued');
        if (!next || this.#closed) break;
        if (!(await this.#send(next))) {
          this.#retryDelay = Math.min(this.#opts.retryMaxMs, Math.max(this.#opts.retryBaseMs, this.#retryDelay * 2));
          this.#retryTimer = this.#clock.setTimeout(() => {
            this.#retryTimer = undefined;
            this.kick();
          }, this.#retryDelay);
          break;
        }
        this.#retryDelay = 0;
      }
    } finally {
      this.#sending = false;
    }
  }

  /** One attempt; false when the node is unreachable (back off and retry). */
  async #send(item: OutboxItem): Promise<boolean> {
    const started = this.#clock.now();
    try {
      // The poll's answer when there is one (at most commitPollMs old): a send then costs the node one request.
      const ordinal =
        this.#scanned === undefined || this.#latestSeen === undefined
          ? await this.#ledger.latestOrdinal()
          : this.#latestSeen;
      if (this.#scanned === undefined) {
        // First send ever: nothing of ours can be in a snapshot up to now.
        this.#scanned = ordinal;
        await this.#store.write([{ type: 'put', sub: 'meta', key: 'scannedOrdinal', value: ordinal }]);
      }
      const result = await this.#ledger.submit(item.signed);
      Object.assign(item, {
        state: 'sent',
        sentAt: this.#clock.now(),
        sentAtOrdinal: ordinal,
        attempts: item.attempts + 1,
      });
      this.#metrics.batchSendSeconds.observe((this.#clock.now() - started) / 1000);
      this.#log.debug({ item: item.key, type: item.signed.value.type, result }, 'ledger outbox: sent');
    } catch (e) {
      const err = e instanceof LedgerError ? e : new LedgerError('rejected', (e as Error).message, e);
      this.#metrics.ledgerErrors.inc({ kind: err.kind });
      if (err.kind === 'unavailable') {
        this.#log.warn({ item: item.key, err: err.message }, 'ledger outbox: metagraph unavailable, will retry');
        return false;
      }
      if (err.kind === 'duplicate') {
        Object.assign(item, {
          state: 'sent',
          sentAt: this.#clock.now(),
          sentAtOrdinal: item.sentAtOrdinal ?? this.#scanned ?? 0,
          attempts: item.attempts + 1,
        });
      } else {
        // validateUpdate refused it: sending it again cannot help. Kept in the journal for the operator.
        Object.assign(item, { state: 'rejected', reason: err.message, attempts: item.attempts + 1 });
        this.#log.error(
          { item: item.key, type: item.signed.value.type, reason: err.message },
          'ledger outbox: metagraph refused the update',
        );
      }
    }
    await this.#store.write([{ type: 'put', sub: 'batches', key: item.key, value: item }]);
    this.#gauge();
    return true;
  }

  #schedulePoll(): void {
    if (this.#closed) return;
    this.#pollTimer = this.#clock.setTimeout(() => {
      void this.pollCommits().finally(() => this.#schedulePoll());
    }, this.#opts.commitPollMs);
  }

  /** Scan new snapshots for our items; mark those found committed and resend the ones the node dropped. */
  async pollCommits(): Promise<void> {
    if (this.#polling || this.#closed || this.#scanned === undefined) return;
    this.#polling = true;
    try {
      const latest = await this.#ledger.latestOrdinal();
      this.#latestSeen = latest;
      if (this.#items.size === 0) {
        await this.#setScanned(latest);
        return;
      }
      const byKey = new Map([...this.#items.values()].map((i) => [matchKey(i.signed, i.hash), i]));
      for (let ord = this.#scanned + 1; ord <= latest && !this.#closed; ord++) {
        const snap = await this.#ledger.snapshotData(ord);
        for (const u of snap.updates) {
          const item = byKey.get(matchKey(u));
          if (!item) continue;
          byKey.delete(matchKey(item.signed, item.hash));
          await this.onCommitted(item, ord, snap.updates);
          this.#items.delete(item.key);
          await this.#store.write([{ type: 'del', sub: 'batches', key: item.key }]);
          this.#metrics.commitSeconds.observe((this.#clock.now() - item.createdAt) / 1000);
        }
        await this.#setScanned(ord);
      }
      let resend = false;
      for (const i of this.#items.values()) {
        if (i.state !== 'sent' || latest - (i.sentAtOrdinal ?? latest) <= this.#opts.resendAfterSnapshots) continue;
        if (i.attempts >= this.#opts.maxSends) {
          // The node keeps refusing it in validateData (its reasons are not served over HTTP): stop, keep it.
          Object.assign(i, { state: 'rejected', reason: `no snapshot carried it after ${i.attempts} sends` });
          await this.#store.write([{ type: 'put', sub: 'batches', key: i.key, value: i }]);
          this.#log.error(
            { item: i.key, type: i.signed.value.type, attempts: i.attempts },
            'ledger outbox: update parked, the metagraph never took it',
          );
          continue;
        }
        this.#log.warn(
          { item: i.key, attempts: i.attempts },
          'ledger outbox: no snapshot carries the update yet, sending it again',
        );
        i.state = 'queued';
        resend = true;
      }
      this.#gauge();
      if (resend) this.kick();
    } catch (e) {
      this.#metrics.ledgerErrors.inc({ kind: 'poll' });
      this.#log.debug({ err: (e as Error).message }, 'ledger outbox: snapshot poll failed');
    } finally {
      this.#polling = false;
    }
  }

  async #setScanned(ord: number): Promise<void> {
    if (this.#scanned !== undefined && ord <= this.#scanned) return;
    this.#scanned = ord;
    await this.#store.write([{ type: 'put', sub: 'meta', key: 'scannedOrdinal', value: ord }]);
  }

  #gauge(): void {
    const p = this.pending();
    for (const [state, n] of Object.entries(p)) this.#metrics.outboxDepth.set({ state }, n);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#retryTimer?.cancel();
    this.#pollTimer?.cancel();
    while (this.#sending || this.#polling) await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * How an item is recognised in a snapshot: an IngestBatch by its batch id (unique, and the gateway signs each batch
 * once, so the id names exactly one signed update; this spares hashing multi-megabyte batches on every poll),
 * anything else by the node's update hash.
 */
function matchKey(u: SignedDataUpdate, knownHash?: string): string {
  if (u.value.type === 'IngestBatch') return `batch:${u.value.gateway}:${u.value.batch}`;
  return knownHash ?? hashCanonical(u);
}
