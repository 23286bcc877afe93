// The durable outbox: signed updates wait here, in seq order, until the gateway's application ack.
// An in-memory index (seq -> id, cadence, size) mirrors the LevelDB sublevel; payloads stay on disk.
//
// Disk cap (docs/agent.md "Outbox"): the sum of stored payload bytes stays at or under `capBytes`. When a new
// update would pass it, the oldest hourly updates are dropped first, then the oldest daily ones; profile updates
// are never dropped (one per change, tiny). Every drop is counted per cadence and reported in status.
import type { Cadence } from '@datagraph/protocol';
import { type AgentStore, type StoreOp, seqKey } from '../store/AgentStore.ts';

export interface OutboxEntry {
  seq: number;
  id: string;
  cadence: Cadence;
  /** The MQTT payload: JSON of the SignedUpdate, published byte for byte as stored. */
  payload: string;
}

interface IndexRow {
  id: string;
  cadence: Cadence;
  size: number;
}

export interface OutboxCounts {
  dropped: Record<Cadence, number>;
}

export class Outbox {
  readonly #store: AgentStore;
  readonly #capBytes: number;
  readonly #index = new Map<number, IndexRow>();
  readonly #byId = new Map<string, number>();
  #bytes = 0;
  counts: OutboxCounts = { dropped: { hourly: 0, daily: 0, profile: 0 } };

  private constructor(store: AgentStore, capBytes: number) {
    this.#store = store;
    this.#capBytes = capBytes;
  }

  static async load(store: AgentStore, capBytes: number): Promise<Outbox> {
    const box = new Outbox(store, capBytes);
    for (const [, e] of await store.entries<OutboxEntry>('outbox')) box.#indexAdd(e);
    box.counts = (await store.get<OutboxCounts>('meta', 'outboxCounts')) ?? box.counts;
    return box;
  }

  get depth(): number {
    return this.#index.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Seqs waiting, oldest first. */
  seqs(): number[] {
    return [...this.#index.keys()].sort((a, b) => a - b);
  }

  has(seq: number): boolean {
    return this.#index.has(seq);
  }

  seqOf(id: string): number | undefined {
    return this.#byId.get(id);
  }

  async payload(seq: number): Promise<string | undefined> {
    return (await this.#store.get<OutboxEntry>('outbox', seqKey(seq)))?.payload;
  }

  /**
   * The store operations that add `entries` (and make room under the cap), and a function to apply the same change
   * to the in-memory index once the batch is on disk.
   */
  prepareAdd(entries: OutboxEntry[]): { ops: StoreOp[]; apply: () => void } {
    const rows = new Map<number, IndexRow>(this.#index);
    let bytes = this.#bytes;
    const dropped: number[] = [];
    const counts = structuredClone(this.counts);
    for (const e of entries) {
      rows.set(e.seq, { id: e.id, cadence: e.cadence, size: sizeOf(e) });
      bytes += sizeOf(e);
    }
    while (bytes > this.#capBytes) {
      const victim = oldest(rows, 'hourly') ?? oldest(rows, 'daily');
      if (victim === undefined) break; // only profile updates left: they are kept even over the cap
      const row = rows.get(victim) as IndexRow;
      rows.delete(victim);
      bytes -= row.size;
      dropped.push(victim);
      counts.dropped[row.cadence]++;
    }
    const added = entries.filter((e) => rows.has(e.seq));
    const ops: StoreOp[] = [
      ...added.map((e): StoreOp => ({ type: 'put', where: 'outbox', key: seqKey(e.seq), value: e })),
      ...dropped
        .filter((s) => this.#index.has(s))
        .map((s): StoreOp => ({ type: 'del', where: 'outbox', key: seqKey(s) })),
    ];
    if (dropped.length) ops.push({ type: 'put', where: 'meta', key: 'outboxCounts', value: counts });
    return {
      ops,
      apply: () => {
        for (const s of dropped) this.#indexDelete(s);
        for (const e of added) this.#indexAdd(e);
        this.counts = counts;
      },
    };
  }

  /**
   * Replace stored payloads (an update made again under a new policy keeps its seq and id) or, where the payload is
   * null, delete the entry; with `extra` ops in the same batch.
   */
  async replace(changes: readonly { seq: number; payload: string | null }[], extra: StoreOp[] = []): Promise<void> {
    const ops: StoreOp[] = [...extra];
    const kept: OutboxEntry[] = [];
    for (const { seq, payload } of changes) {
      const row = this.#index.get(seq);
      if (!row) continue;
      if (payload === null) ops.push({ type: 'del', where: 'outbox', key: seqKey(seq) });
      else {
        const e: OutboxEntry = { seq, id: row.id, cadence: row.cadence, payload };
        kept.push(e);
        ops.push({ type: 'put', where: 'outbox', key: seqKey(seq), value: e });
      }
    }
    await this.#store.write(ops, { sync: true });
    for (const { seq } of changes) this.#indexDelete(seq);
    for (const e of kept) this.#indexAdd(e);
  }

  /** Remove an entry (acked), or move it to the dead-letter store with the gateway's code (rejected). */
  async remove(
    seq: number,
    dead?: { code: string; message?: string; at: number },
    extra: StoreOp[] = [],
  ): Promise<void> {
    const ops: StoreOp[] = [{ type: 'del', where: 'outbox', key: seqKey(seq) }, ...extra];
    if (dead) {
      const entry = await this.#store.get<OutboxEntry>('outbox', seqKey(seq));
      if (entry) ops.push({ type: 'put', where: 'dead', key: seqKey(seq), value: { ...entry, ...dead } });
    }
    await this.#store.write(ops);
    this.#indexDelete(seq);
  }

  #indexAdd(e: OutboxEntry): void {
    const size = sizeOf(e);
    this.#index.set(e.seq, { id: e.id, cadence: e.cadence, size });
    this.#byId.set(e.id, e.seq);
    this.#bytes += size;
  }

  #indexDelete(seq: number): void {
    const row = this.#index.get(seq);
    if (!row) return;
    this.#index.delete(seq);
    this.#byId.delete(row.id);
    this.#bytes -= row.size;
  }
}

function sizeOf(e: OutboxEntry): number {
  return Buffer.byteLength(e.payload, 'utf8');
}

function oldest(rows: Map<number, IndexRow>, cadence: Cadence): number | undefined {
  let min: number | undefined;
  for (const [seq, row] of rows) if (row.cadence === cadence && (min === undefined || seq < min)) min = seq;
  return min;
}
