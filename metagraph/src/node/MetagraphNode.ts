// The node's core, without HTTP: the currency ledger, the data application, the pending pools and the
// snapshot producer over one LevelDB. One snapshot at a time (a promise chain); everything a snapshot changes
// is written in one atomic batch and applied in memory only after that batch is durable.
import {
  type Clock,
  describeIssues,
  keyPairFromPrivateKey,
  ProtocolError,
  type SignedDataUpdate,
} from '@datagraph/protocol';
import type { Logger } from 'pino';
import { buildSnapshot } from './buildSnapshot.ts';
import { type CheckedTransaction, CurrencyLedger, type TxProblem } from './CurrencyLedger.ts';
import { SignedTransaction, type TransactionReference } from './CurrencyTransaction.ts';
import type { DataLayer, DataProblem } from './DataLayer.ts';
import type { Genesis } from './Genesis.ts';
import { keys, type NodeStore } from './NodeStore.ts';
import type { SignedSnapshot, SnapshotInfo } from './Snapshot.ts';
import { transactionHash } from './transactionHash.ts';
import { genesisHash, writeGenesis } from './writeGenesis.ts';

/** A transaction as the block explorer shows it (dag4's TransactionV2). */
export interface ConfirmedTransaction {
  hash: string;
  ordinal: number;
  source: string;
  destination: string;
  amount: number;
  fee: number;
  parent: TransactionReference;
  salt: string;
  blockHash: string;
  snapshotHash: string;
  snapshotOrdinal: number;
  transactionOriginal: SignedTransaction;
  timestamp: string;
}

export type UpdateStatus =
  | { hash: string; status: 'pending' }
  | { hash: string; status: 'accepted'; ordinal: number; snapshotHash: string }
  | { hash: string; status: 'rejected'; ordinal: number; problems: DataProblem[] };

interface Pending<T> {
  key: string;
  item: T;
  /** The item's canonical JSON text when the node has it (a data update checked at POST). */
  text?: string;
}

export interface MetagraphNodeOptions {
  store: NodeStore;
  genesis: Genesis;
  clock: Clock;
  logger: Logger;
  data: DataLayer;
}

export class MetagraphNode {
  readonly ledger: CurrencyLedger;
  readonly #store: NodeStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #data: DataLayer;
  readonly #nodeKey: { privateKey: string; publicKey: string; address: string };
  #latest: { ordinal: number; hash: string };
  #supply: bigint;
  #pendingTxKeys = new Map<string, string>();
  #pendingUpdates = new Map<string, Pending<SignedDataUpdate>>();
  #cutting: Promise<unknown> = Promise.resolve();

  private constructor(
    o: MetagraphNodeOptions,
    ledger: CurrencyLedger,
    nodeKey: string,
    latest: { ordinal: number; hash: string },
    supply: bigint,
  ) {
    this.#store = o.store;
    this.#clock = o.clock;
    this.#log = o.logger;
    this.#data = o.data;
    this.ledger = ledger;
    this.#nodeKey = keyPairFromPrivateKey(nodeKey);
    this.#latest = latest;
    this.#supply = supply;
  }

  /** Open the node on its store: write genesis on first start, else reload state and replay pending items. */
  static async open(o: MetagraphNodeOptions): Promise<MetagraphNode> {
    const store = o.store;
    const expected = genesisHash(o.genesis);
    const known = await store.get<string>(keys.genesis);
    if (known === undefined) await writeGenesis(store, o.genesis, o.clock);
    else if (known !== expected) {
      throw new ProtocolError(
        'MG_GENESIS_MISMATCH',
        'this data directory was started with a different genesis file; use that file or a new --data-dir',
      );
    }
    const balances = new Map<string, bigint>();
    for await (const [k, v] of store.range<string>('bal!')) balances.set(k.slice(4), BigInt(v));
    const refs = new Map<string, TransactionReference>();
    for await (const [k, v] of store.range<TransactionReference>('ref!')) refs.set(k.slice(4), v);
    const latest = (await store.get<{ ordinal: number; hash: string }>(keys.latest)) as {
      ordinal: number;
      hash: string;
    };
    const info = (await store.get<SnapshotInfo>(keys.info(latest.ordinal))) as SnapshotInfo;
    const nodeKey = (await store.get<string>(keys.nodeKey)) as string;
    // The calculated state is the fold of every snapshot's delta (each stored in that snapshot's batch).
    for await (const [, delta] of store.range<unknown>('delta!')) o.data.apply(delta);
    const node = new MetagraphNode(o, new CurrencyLedger(balances, refs), nodeKey, latest, BigInt(info.totalSupply));
    await node.#replayPending();
    o.logger.info(
      {
        ordinal: latest.ordinal,
        pendingTransactions: node.ledger.pending.size,
        pendingUpdates: node.#pendingUpdates.size,
      },
      'node state loaded',
    );
    return node;
  }

  get latest(): { ordinal: number; hash: string } {
    return { ...this.#latest };
  }

  get nodeId(): string {
    return this.#nodeKey.publicKey;
  }

  get nodeAddress(): string {
    return this.#nodeKey.address;
  }

  /** Resolves once no snapshot is being cut. */
  whenIdle(): Promise<unknown> {
    return this.#cutting;
  }

  get totalSupply(): bigint {
    return this.#supply;
  }

  // ---- currency L1 ------------------------------------------------------------------------------------------

  /** POST /transactions: check, make durable, then return the hash. Resubmitting a known transaction is a no-op. */
  async submitTransaction(body: unknown): Promise<string> {
    const parsed = SignedTransaction.safeParse(body);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error);
      throw new ProtocolError('MG_TX_MALFORMED', `transaction is malformed: ${problems.slice(0, 5).join('; ')}`, {
        details: { problems },
      });
    }
    // A retry of a transaction this node already holds is answered with its hash (idempotent POST).
    const known = await this.#knownHash(parsed.data);
    if (known) return known;
    // The same transaction may have been taken from a concurrent POST while we awaited the store.
    const again = this.#pendingHash(parsed.data);
    if (again) return again;
    const tx = this.ledger.check(parsed.data);
    this.ledger.addPending(tx);
    try {
      const key = await this.#store.putPending('tx', parsed.data);
      // A snapshot may have taken it while the write was in flight; its pending copy is then stale.
      if (this.ledger.pending.has(tx.hash)) this.#pendingTxKeys.set(tx.hash, key);
      else await this.#store.del(key);
    } catch (cause) {
      this.ledger.dropPending(tx.hash);
      throw new ProtocolError('MG_INTERNAL', 'could not store the transaction', { cause });
    }
    this.#log.debug(
      { hash: tx.hash, source: tx.source, ordinal: tx.ordinal },
      'transaction accepted into the pending pool',
    );
    return tx.hash;
  }

  #pendingHash(signed: SignedTransaction): string | null {
    let hash: string;
    try {
      hash = transactionHash(signed.value);
    } catch {
      return null; // not hashable (fractional amount...): check() reports why
    }
    return this.ledger.pending.has(hash) ? hash : null;
  }

  async #knownHash(signed: SignedTransaction): Promise<string | null> {
    const pending = this.#pendingHash(signed);
    if (pending) return pending;
    let hash: string;
    try {
      hash = transactionHash(signed.value);
    } catch {
      return null;
    }
    return (await this.#store.get(keys.tx(hash))) ? hash : null;
  }

  /** Pending and not yet in a snapshot (a snapshot's batch becomes readable a moment before the pool moves on). */
  async pendingTransaction(hash: string): Promise<CheckedTransaction | undefined> {
    const tx = this.ledger.pending.get(hash);
    if (!tx || (await this.#store.get(keys.tx(hash)))) return undefined;
    return tx;
  }

  confirmedTransaction(hash: string): Promise<ConfirmedTransaction | undefined> {
    return this.#store.get<ConfirmedTransaction>(keys.tx(hash));
  }

  /**
   * An address's confirmed transactions, newest first, filtered by `filter`. Paging as the block explorer
   * does it: `olderThan` / `newerThan` (ISO times: its search_after / search_before) or `after` (the opaque
   * `next` cursor this returns when there may be more).
   */
  async addressTransactions(
    address: string,
    q: { limit: number; filter: 'all' | 'sent' | 'received'; olderThan?: string; newerThan?: string; after?: string },
  ): Promise<{ items: ConfirmedTransaction[]; next?: string }> {
    const items: ConfirmedTransaction[] = [];
    const prefix = `atx!${address}!`;
    const range = q.after?.startsWith(prefix) ? { reverse: true, lte: q.after, gte: prefix } : { reverse: true };
    let next: string | undefined;
    for await (const [key, hash] of this.#store.range<string>(prefix, range)) {
      if (key === q.after) continue;
      const tx = await this.confirmedTransaction(hash);
      if (!tx) continue;
      if (q.olderThan !== undefined && !(tx.timestamp < q.olderThan)) continue;
      if (q.newerThan !== undefined && !(tx.timestamp > q.newerThan)) break;
      if (q.filter === 'sent' && tx.source !== address) continue;
      if (q.filter === 'received' && tx.destination !== address) continue;
      items.push(tx);
      if (items.length >= q.limit) {
        next = key;
        break;
      }
    }
    return next === undefined ? { items } : { items, next };
  }

  // ---- metagraph L0 -----------------------------------------------------------------------------------------

  snapshot(ordinal: number): Promise<SignedSnapshot | undefined> {
    return this.#store.get<SignedSnapshot>(keys.snapshot(ordinal));
  }

  /** Snapshot `ordinal` as the JSON text stored, to be served without parsing and writing megabytes again. */
  snapshotText(ordinal: number): Promise<string | undefined> {
    return this.#store.getText(keys.snapshot(ordinal));
  }

  /** The data application's state delta stored with snapshot `ordinal` (its entries, in Merkle-leaf order). */
  storedDelta<T>(ordinal: number): Promise<T | undefined> {
    return this.#store.get<T>(keys.delta(ordinal));
  }

  snapshotInfo(ordinal: number): Promise<SnapshotInfo | undefined> {
    return this.#store.get<SnapshotInfo>(keys.info(ordinal));
  }

  /** Balance at the latest snapshot, or at `ordinal` (undefined when that snapshot does not exist). */
  async balance(address: string, ordinal?: number): Promise<{ balance: bigint; ordinal: number } | undefined> {
    if (ordinal === undefined) return { balance: this.ledger.balance(address), ordinal: this.#latest.ordinal };
    if (ordinal > this.#latest.ordinal) return undefined;
    for await (const [, v] of this.#store.range<string>(`balh!${address}!`, {
      lte: keys.balanceAt(address, ordinal),
      reverse: true,
      limit: 1,
    })) {
      return { balance: BigInt(v), ordinal };
    }
    return { balance: 0n, ordinal };
  }

  // ---- data L1 ----------------------------------------------------------------------------------------------

  /** POST /data: stateless checks (400 with every code), then durable pending; returns the update hash. */
  async submitUpdate(body: unknown): Promise<string> {
    const { problems, hash: checkedHash, text } = this.#data.checkUpdate(body);
    if (problems.length > 0) {
      const first = problems[0] as DataProblem;
      throw new ProtocolError(first.code as never, problems.map((p) => p.message).join('; '), {
        details: { errors: problems },
      });
    }
    const update = body as SignedDataUpdate;
    const hash = checkedHash ?? this.#data.updateHash(update);
    if (this.#pendingUpdates.has(hash) || (await this.#store.get(keys.update(hash)))) return hash;
    // Reserve the slot before the await so a concurrent duplicate POST does not store it twice.
    const slot: Pending<SignedDataUpdate> =
      text === undefined ? { key: '', item: update } : { key: '', item: update, text };
    this.#pendingUpdates.set(hash, slot);
    try {
      slot.key = await this.#store.putPending('update', update, text);
    } catch (cause) {
      this.#pendingUpdates.delete(hash);
      throw new ProtocolError('MG_INTERNAL', 'could not store the data update', { cause });
    }
    this.#log.debug({ hash, type: update.value.type }, 'data update accepted into the pending pool');
    return hash;
  }

  async updateStatus(hash: string): Promise<UpdateStatus | undefined> {
    if (this.#pendingUpdates.has(hash)) return { hash, status: 'pending' };
    return this.#store.get<UpdateStatus>(keys.update(hash));
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  /** Cut the next snapshot from everything pending now; resolves with its ordinal once it is durable. */
  cutSnapshot(): Promise<number> {
    const run = this.#cutting.then(() => this.#cut());
    this.#cutting = run.catch(() => undefined);
    return run;
  }

  async #cut(): Promise<number> {
    const ordinal = this.#latest.ordinal + 1;
    const now = new Date(this.#clock.now()).toISOString();
    const txs = [...this.ledger.pending.values()];
    const updates = [...this.#pendingUpdates.entries()].filter(([, p]) => p.key !== '');
    const plan = this.ledger.plan(txs);
    const data = this.#data.prepare(
      ordinal,
      updates.map(([, p]) => p.item),
      updates.map(([h]) => h),
    );
    const supply = CurrencyLedger.supplyAfter(this.#supply, plan);

    const pendingKeys = [...plan.accepted, ...plan.rejected.map((r) => r.tx)].flatMap(
      (t) => this.#pendingTxKeys.get(t.hash) ?? [],
    );
    const updateTexts = new Map<string, string>();
    for (const [h, p] of updates) if (p.text !== undefined) updateTexts.set(h, p.text);
    const { hash, ops } = buildSnapshot({
      ordinal,
      lastSnapshotHash: this.#latest.hash,
      timestamp: now,
      ledger: this.ledger,
      plan,
      supply,
      data,
      nodeKey: this.#nodeKey,
      pendingKeys: [...pendingKeys, ...updates.map(([, p]) => p.key)],
      updateTexts,
    });

    await this.#store.batch(ops);

    // Durable: now move the in-memory state on.
    this.ledger.commit(plan);
    for (const t of txs) this.#pendingTxKeys.delete(t.hash);
    for (const [h] of updates) this.#pendingUpdates.delete(h);
    this.#data.apply(data.delta, true);
    this.#latest = { ordinal, hash };
    this.#supply = supply;
    if (plan.rejected.length > 0)
      this.#log.warn(
        {
          ordinal,
          rejected: plan.rejected.map((r) => ({ hash: r.tx.hash, codes: r.problems.map((p: TxProblem) => p.code) })),
        },
        'pending transactions no longer valid',
      );
    this.#log.info(
      {
        ordinal,
        hash,
        transactions: plan.accepted.length,
        updates: data.accepted.length,
        rejectedUpdates: data.rejected.length,
      },
      'snapshot',
    );
    return ordinal;
  }

  /** After a restart: put back every pending item that no snapshot took (in arrival order). */
  async #replayPending(): Promise<void> {
    const stale: string[] = [];
    for await (const [key, body] of this.#store.range<unknown>('ptx!')) {
      const parsed = SignedTransaction.safeParse(body);
      if (!parsed.success) {
        stale.push(key);
        continue;
      }
      try {
        const tx = this.ledger.check(parsed.data);
        this.ledger.addPending(tx);
        this.#pendingTxKeys.set(tx.hash, key);
      } catch {
        // Already in a snapshot (its put landed after the batch that took it), or superseded: drop it.
        stale.push(key);
      }
    }
    for await (const [key, body] of this.#store.range<SignedDataUpdate>('pupd!')) {
      const hash = this.#data.updateHash(body);
      if (this.#pendingUpdates.has(hash) || (await this.#store.get(keys.update(hash)))) stale.push(key);
      else this.#pendingUpdates.set(hash, { key, item: body });
    }
    for (const key of stale) await this.#store.del(key);
  }
}
