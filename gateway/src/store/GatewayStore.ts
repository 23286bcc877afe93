// The one file that wraps `level` for the gateway: a LevelDB with one sublevel per concern, and a write
// path that coalesces concurrent atomic batches into one LevelDB write (one log append, one fsync when
// `sync` is on), so durability per update does not cost one disk write per update.
import { Level } from 'level';

type Json = unknown;
export type Sub = ReturnType<Level<string, Json>['sublevel']>;

export interface StoreOp {
  type: 'put' | 'del';
  sub: SublevelName;
  key: string;
  value?: Json;
}

export const SUBLEVELS = [
  'keys',
  'rows',
  'ids',
  'devseq',
  'pending',
  'batches',
  'committed',
  'providers',
  'devices',
  'meta',
  // research (DESIGN.md section 3): committed-row index with Merkle proofs, quotes, paid queries and their usage
  'rowidx',
  'quotes',
  'quoterows',
  'queries',
  'queryrows',
  'querytx',
] as const;
export type SublevelName = (typeof SUBLEVELS)[number];

/**
 * The size of the table files LevelDB writes. Each open table (at most maxOpenFiles - 10) is memory-mapped, and the
 * pages reads touch stay in the RSS until it is closed: a download reads through its tables, and with LevelDB's
 * default 2 MB tables held about 125 MB of them; 1 MB tables halve that, for writes about 5% slower (measured:
 * batches of 100 rows of 1.5 KB; docs/gateway.md "Memory"). Tables already written keep their size until compaction
 * rewrites them.
 */
export const MAX_FILE_SIZE = 1 << 20;

/**
 * LevelDB's write buffer (memtable), written out as a level-0 table when full. LevelDB's 4 MB default filled about
 * once a second at full ingest, and compacting those small tables cost the gateway about 90 us of CPU per update;
 * at 32 MB most short-lived keys (the batch journal, deleted once a snapshot carries an entry) are deleted before
 * they ever reach a table (measured: docs/gateway.md "Benchmark"). It costs up to twice this in memory while
 * writes run (the full buffer is written out while the next fills).
 */
export const WRITE_BUFFER_SIZE = 32 << 20;

export class GatewayStore {
  readonly #db: Level<string, Json>;
  readonly #subs: Record<SublevelName, Sub>;
  /** Each sublevel's key prefix in the root database (abstract-level's `!name!`). */
  readonly #prefixes: Record<SublevelName, string>;
  readonly #sync: boolean;
  #queue: { ops: StoreOp[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #writing = false;

  private constructor(db: Level<string, Json>, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
    this.#subs = Object.fromEntries(
      SUBLEVELS.map((n) => [n, db.sublevel<string, Json>(n, { valueEncoding: 'json' })]),
    ) as Record<SublevelName, Sub>;
    this.#prefixes = Object.fromEntries(SUBLEVELS.map((n) => [n, this.#subs[n].prefix])) as Record<
      SublevelName,
      string
    >;
  }

  /**
   * `sync: true` fsyncs every write (survives power loss); without it a write survives kill -9 of the process.
   * `maxOpenFiles` bounds LevelDB's table cache: each open table file is memory-mapped, and the pages a read
   * touches count in the process's RSS until the table is closed, so this bounds that part of the RSS to about
   * (maxOpenFiles - 10) x the table size (MAX_FILE_SIZE). LevelDB's own default is 1000; it raises a value
   * under 74 to 74. `maxFileSize` is the size of the table files LevelDB writes (MAX_FILE_SIZE by default),
   * `writeBufferSize` the size of its memtable (WRITE_BUFFER_SIZE by default).
   */
  static async open(
    path: string,
    opts: { sync?: boolean; maxOpenFiles?: number; maxFileSize?: number; writeBufferSize?: number } = {},
  ): Promise<GatewayStore> {
    const db = new Level<string, Json>(path, {
      valueEncoding: 'json',
      maxFileSize: opts.maxFileSize ?? MAX_FILE_SIZE,
      writeBufferSize: opts.writeBufferSize ?? WRITE_BUFFER_SIZE,
      ...(opts.maxOpenFiles === undefined ? {} : { maxOpenFiles: opts.maxOpenFiles }),
    });
    await db.open();
    return new GatewayStore(db, opts.sync ?? false);
  }

  async get<T>(sub: SublevelName, key: string): Promise<T | undefined> {
    return (await this.#subs[sub].get(key)) as T | undefined;
  }

  /**
   * A read on the calling thread, no thread-pool round trip: for small hot lookups (the ingest dedup), where the
   * key is in the memtable or ruled out by LevelDB's bloom filters, so the read costs less than queueing it.
   */
  getSync<T>(sub: SublevelName, key: string): T | undefined {
    return this.#subs[sub].getSync(key) as T | undefined;
  }

  async getMany<T>(sub: SublevelName, keys: string[]): Promise<(T | undefined)[]> {
    return (await this.#subs[sub].getMany(keys)) as (T | undefined)[];
  }

  /** getMany with each value's stored JSON text, unparsed (hot paths that need a few members of big values). */
  async getManyText(sub: SublevelName, keys: string[]): Promise<(string | undefined)[]> {
    return (await this.#subs[sub].getMany(keys, { valueEncoding: 'utf8' })) as (string | undefined)[];
  }

  /** Entries of a sublevel in key order, optionally under a prefix or within [gte, lt). */
  async *entries<T>(
    sub: SublevelName,
    opts: { prefix?: string; limit?: number; gte?: string; lt?: string } = {},
  ): AsyncGenerator<[string, T]> {
    const range =
      opts.gte !== undefined || opts.lt !== undefined
        ? { gte: opts.gte ?? '', lt: opts.lt ?? '\xff' }
        : opts.prefix === undefined
          ? {}
          : { gte: opts.prefix, lt: `${opts.prefix}\xff` };
    for await (const [k, v] of this.#subs[sub].iterator({ ...range, limit: opts.limit ?? -1 })) yield [k, v as T];
  }

  /** Entries of a sublevel in key order within [gte, lt), `size` at a time (LevelDB nextv: one native call each). */
  async *entryChunks<T>(
    sub: SublevelName,
    opts: { gte: string; lt: string },
    size: number,
  ): AsyncGenerator<[string, T][]> {
    const it = this.#subs[sub].iterator({ gte: opts.gte, lt: opts.lt });
    try {
      for (;;) {
        const chunk = (await it.nextv(size)) as [string, T][];
        if (chunk.length === 0) return;
        yield chunk;
      }
    } finally {
      await it.close();
    }
  }

  async keys(sub: SublevelName, opts: { prefix?: string } = {}): Promise<string[]> {
    const range = opts.prefix === undefined ? {} : { gte: opts.prefix, lt: `${opts.prefix}\xff` };
    return this.#subs[sub].keys(range).all();
  }

  /** Apply `ops` atomically; resolves once they are in LevelDB's log. */
  write(ops: StoreOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      // The ops go to the root database as they are stored: each key with its sublevel's prefix, each value as
      // the sublevel's JSON encoding would write it. abstract-level's per-op sublevel handling costs several
      // microseconds an op (profiled: a tenth of the gateway's CPU at full ingest). Within one atomic batch the
      // last op on a key wins anyway, so repeated puts of a key (a device's latest seq) are written once.
      const ops = new Map<string, { type: 'put'; key: string; value: string } | { type: 'del'; key: string }>();
      for (const g of group)
        for (const o of g.ops) {
          const key = this.#prefixes[o.sub] + o.key;
          ops.set(key, o.type === 'put' ? { type: 'put', key, value: JSON.stringify(o.value) } : { type: 'del', key });
        }
      try {
        await this.#db.batch([...ops.values()], { sync: this.#sync, keyEncoding: 'utf8', valueEncoding: 'utf8' });
        for (const g of group) g.resolve();
      } catch (e) {
        for (const g of group) g.reject(e);
      }
    }
    this.#writing = false;
  }

  async close(): Promise<void> {
    while (this.#writing) await new Promise((r) => setImmediate(r));
    await this.#db.close();
  }
}
