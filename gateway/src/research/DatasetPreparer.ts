// Prepared datasets (datasetFile.ts): once a query is paid and recorded, its rows are read from the vault and the
// committed-row index once, written as NDJSON lines sealed in per-provider blocks, and its downloads then read
// that file (preparedDatasetStream.ts): a row costs a share of one block's decryption and a copy, where the vault's
// path costs two LevelDB lookups, a decryption and a line build per row. Until a query's file is ready its
// downloads take the vault's path (datasetStream.ts), byte for byte the same lines.
// One query is prepared at a time, in the background. A file is written under a `.part` name, synced and renamed:
// a crash leaves no half file under the final name, and the next start prepares again what was not finished.
// A file older than `retentionDays` is removed, at start and hourly (downloads fall back to the vault's path), and a
// query paid longer ago is not prepared again.
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import { endFrame, MAGIC } from './datasetFile.ts';
import { type DatasetStreamDeps, encodedChunks, type ReleaseCounts } from './datasetStream.ts';
import { lineWorker } from './LineWorker.ts';
import { encodeBlocks, type LineJob } from './lineWorkerThread.ts';

export type DatasetState =
  | { state: 'prepared' }
  | { state: 'preparing'; rows: number; of: number }
  | { state: 'queued' }
  | { state: 'off' };

export interface DatasetPreparerOptions {
  /** Where the files go (the gateway's dataDir/datasets). */
  dir: string;
  /** false: no query is prepared; every download takes the vault's path. */
  enabled: boolean;
  retentionDays: number;
}

type PreparerDeps = DatasetStreamDeps & {
  log: Logger;
  now: () => number;
  metrics?: Pick<GatewayMetrics, 'datasetsPrepared'>;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export class DatasetPreparer {
  readonly #d: PreparerDeps;
  readonly #opts: DatasetPreparerOptions;
  readonly #ready = new Set<string>();
  /** Failed or discarded since this start: not prepared again in this run. */
  readonly #failed = new Set<string>();
  readonly #queue: { queryId: string; rows: number }[] = [];
  #current: { queryId: string; rows: number; done: number } | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #expiry: NodeJS.Timeout | undefined;

  constructor(d: PreparerDeps, opts: DatasetPreparerOptions) {
    this.#d = d;
    this.#opts = opts;
  }

  /** Finds the files already prepared, removes unfinished and expired ones, queues complete queries without one. */
  async start(): Promise<void> {
    if (!this.#opts.enabled) return;
    await mkdir(this.#opts.dir, { recursive: true });
    await this.#sweep();
    this.#expiry = setInterval(() => void this.expire().catch(() => {}), HOUR);
    this.#expiry.unref();
    // a query paid longer ago than the retention is not prepared again (its file expired, or it predates them)
    const cutoff = this.#d.now() - this.#opts.retentionDays * DAY;
    for await (const q of this.#d.research.queries())
      if (q.status === 'complete' && q.createdAt >= cutoff && !this.#ready.has(q.queryId))
        this.schedule(q.queryId, q.rows);
  }

  /** The prepared file of a query, if its downloads can read one. */
  file(queryId: string): string | undefined {
    return this.#ready.has(queryId) ? this.#path(queryId) : undefined;
  }

  state(queryId: string): DatasetState {
    if (!this.#opts.enabled) return { state: 'off' };
    if (this.#ready.has(queryId)) return { state: 'prepared' };
    const c = this.#current;
    if (c?.queryId === queryId) return { state: 'preparing', rows: c.done, of: c.rows };
    // not waiting either: failed, discarded or expired (downloads read the vault)
    return this.#queue.some((q) => q.queryId === queryId) ? { state: 'queued' } : { state: 'off' };
  }

  /** Prepare a complete query's dataset (after those queued before it). */
  schedule(queryId: string, rows: number): void {
    if (!this.#opts.enabled || this.#closed || this.#ready.has(queryId) || this.#failed.has(queryId)) return;
    if (this.#current?.queryId === queryId || this.#queue.some((q) => q.queryId === queryId)) return;
    this.#queue.push({ queryId, rows });
    this.#kick();
  }

  /** One drain at a time; one that ends with queries queued meanwhile is followed by another. */
  #kick(): void {
    if (this.#running || this.#closed || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#kick();
    });
  }

  /** A file that failed to read (a block did not verify, it ended early) is dropped: downloads read the vault. */
  async discard(queryId: string, why: string): Promise<void> {
    if (!this.#ready.delete(queryId)) return;
    this.#failed.add(queryId);
    this.#d.log.warn({ queryId, why }, 'prepared dataset discarded');
    await unlink(this.#path(queryId)).catch(() => {});
  }

  /** Stops after the chunk in hand; an unfinished file is removed at the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#expiry);
    this.#queue.length = 0;
    await this.#running;
  }

  #path(queryId: string): string {
    return join(this.#opts.dir, `${queryId}.dgds`);
  }

  async #sweep(): Promise<void> {
    for (const name of await readdir(this.#opts.dir)) {
      if (name.endsWith('.part')) await unlink(join(this.#opts.dir, name)).catch(() => {});
      else if (name.endsWith('.dgds')) this.#ready.add(name.slice(0, -5));
    }
    await this.expire();
  }

  /**
   * Removes prepared files past retention (at start, then hourly): their queries' downloads read the vault again.
   * A download reading one meanwhile goes on (the open file outlives its name). The number removed.
   */
  async expire(): Promise<number> {
    const cutoff = this.#d.now() - this.#opts.retentionDays * DAY;
    let removed = 0;
    for (const queryId of [...this.#ready]) {
      const path = this.#path(queryId);
      const mtime = await stat(path).then(
        (st) => st.mtimeMs,
        () => -Infinity, // gone from under us: forget it too
      );
      if (mtime >= cutoff) continue;
      this.#ready.delete(queryId);
      await unlink(path).catch(() => {});
      removed++;
      this.#d.log.info({ queryId }, 'prepared dataset past retention removed');
    }
    return removed;
  }

  async #drain(): Promise<void> {
    for (let q = this.#queue.shift(); q && !this.#closed; q = this.#queue.shift()) {
      const started = this.#d.now();
      this.#current = { ...q, done: 0 };
      try {
        const finished = await this.#prepare(q.queryId, this.#current);
        if (finished) {
          this.#ready.add(q.queryId);
          this.#d.metrics?.datasetsPrepared.inc({ outcome: 'prepared' });
          this.#d.log.info(
            { queryId: q.queryId, rows: this.#current.done, ms: this.#d.now() - started },
            'dataset prepared',
          );
        }
      } catch (e) {
        this.#failed.add(q.queryId);
        this.#d.metrics?.datasetsPrepared.inc({ outcome: 'failed' });
        this.#d.log.error({ queryId: q.queryId, err: e }, 'dataset not prepared: downloads use the vault');
      } finally {
        this.#current = undefined;
      }
    }
  }

  /**
   * Writes the query's file; false when closed first (the `.part` file stays for the next start to remove). Each
   * chunk's buffer goes back to the line worker once written (LineWorker.recycle).
   */
  async #prepare(queryId: string, progress: { done: number }): Promise<boolean> {
    const part = `${this.#path(queryId)}.part`;
    const fh = await open(part, 'w');
    const counts: ReleaseCounts = { row: 0, withheld: 0, skipped: 0 };
    let written = false;
    try {
      await fh.write(MAGIC);
      const encode = (job: Omit<LineJob, 'id'>): Promise<Uint8Array> => {
        const worker = lineWorker();
        return worker ? worker.encode(job) : Promise.resolve(encodeBlocks(job));
      };
      for await (const chunk of encodedChunks(this.#d, { queryId, offset: 0 }, counts, encode, queryId)) {
        if (this.#closed) return false;
        await fh.write(chunk as Uint8Array);
        lineWorker()?.recycle(chunk as Uint8Array); // written: its memory goes back to the worker
        progress.done = counts.row;
      }
      await fh.write(endFrame({ withheld: counts.withheld, released: counts.row }));
      await fh.sync();
      written = true;
    } finally {
      await fh.close();
      // a failed write (a full disk...) leaves nothing behind; a close mid-way leaves it to the next start
      if (!written && !this.#closed) await unlink(part).catch(() => {});
    }
    await rename(part, this.#path(queryId));
    const dir = await open(this.#opts.dir, 'r');
    await dir.sync().finally(() => dir.close());
    return true;
  }
}
