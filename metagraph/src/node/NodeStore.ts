// All node state in one LevelDB under the data directory. Each snapshot is written, with everything it changes
// (balances, references, confirmed transactions, data statuses, the data application's state delta) and the
// removal of the pending items it took, in ONE atomic batch: after kill -9 the store holds either the whole
// snapshot or none of it. Pending items are written before the HTTP 200, so nothing accepted is lost.
import { Level } from 'level';

type Json = unknown;

const ORD = 12;
const SEQ = 16;
export const ord = (n: number): string => String(n).padStart(ORD, '0');
const seq = (n: number): string => String(n).padStart(SEQ, '0');

/**
 * One put or del of a snapshot batch. A put with `valueEncoding: 'utf8'` stores `value`, a JSON text written
 * already (a snapshot of megabytes, from texts the node holds), as is; `get` reads it back parsed like any other.
 */
export type BatchOp =
  | { type: 'put'; key: string; value: Json; valueEncoding?: never }
  | { type: 'put'; key: string; value: string; valueEncoding: 'utf8' }
  | { type: 'del'; key: string };

/** Key layout (documented in docs/metagraph-node.md). */
export const keys = {
  latest: 'meta!latest',
  genesis: 'meta!genesis',
  nodeKey: 'meta!nodeKey',
  snapshot: (o: number) => `snap!${ord(o)}`,
  info: (o: number) => `info!${ord(o)}`,
  delta: (o: number) => `delta!${ord(o)}`,
  balance: (a: string) => `bal!${a}`,
  balanceAt: (a: string, o: number) => `balh!${a}!${ord(o)}`,
  ref: (a: string) => `ref!${a}`,
  tx: (h: string) => `tx!${h}`,
  addressTx: (a: string, o: number, h: string) => `atx!${a}!${ord(o)}!${h}`,
  update: (h: string) => `upd!${h}`,
  pendingTx: (s: number) => `ptx!${seq(s)}`,
  pendingUpdate: (s: number) => `pupd!${seq(s)}`,
};

export class NodeStore {
  readonly #db: Level<string, Json>;
  #seq = 0;

  private constructor(db: Level<string, Json>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<NodeStore> {
    const db = new Level<string, Json>(dir, { valueEncoding: 'json' });
    await db.open();
    const store = new NodeStore(db);
    // Pending keys carry a sequence so they replay in arrival order; continue after the highest one.
    for (const prefix of ['ptx!', 'pupd!']) {
      for await (const key of db.keys({ gte: prefix, lt: `${prefix}~`, reverse: true, limit: 1 })) {
        store.#seq = Math.max(store.#seq, Number(key.slice(prefix.length)));
      }
    }
    return store;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.#db.get(key)) as T | undefined;
  }

  /** The stored JSON text of `key`, unparsed (served as is). */
  async getText(key: string): Promise<string | undefined> {
    return (await this.#db.get(key, { valueEncoding: 'utf8' })) as string | undefined;
  }

  /**
   * Write a pending transaction or data update durably before it is acknowledged; returns its key. `text`, when
   * given, is the JSON text of `value` (its canonical form, already written to check it): stored as is.
   */
  async putPending(kind: 'tx' | 'update', value: Json, text?: string): Promise<string> {
    this.#seq += 1;
    const key = kind === 'tx' ? keys.pendingTx(this.#seq) : keys.pendingUpdate(this.#seq);
    if (text === undefined) await this.#db.put(key, value);
    else await this.#db.put(key, text, { valueEncoding: 'utf8' });
    return key;
  }

  async del(key: string): Promise<void> {
    await this.#db.del(key);
  }

  /** Atomic: LevelDB applies a write batch entirely or not at all. Synced, as a snapshot is a commitment. */
  async batch(ops: BatchOp[]): Promise<void> {
    await this.#db.batch(ops as never, { sync: true } as never);
  }

  async *range<T>(
    prefix: string,
    options: { reverse?: boolean; limit?: number; lte?: string; gte?: string } = {},
  ): AsyncGenerator<[string, T]> {
    const it = this.#db.iterator({
      gte: options.gte ?? prefix,
      lte: options.lte ?? `${prefix}\xff`,
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
    });
    for await (const [k, v] of it) yield [k, v as T];
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
