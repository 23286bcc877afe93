// The main-thread side of lineWorkerThread.ts: one worker per process, started with the gateway (startGateway) or by
// the first download that wants it, and kept (it holds the process open only while jobs are out). Jobs are answered
// in the order they are posted.
import { Worker } from 'node:worker_threads';
import type { LineJob, LineResult } from './lineWorkerThread.ts';

export class LineWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  #next = 0;
  #failed: Error | undefined;
  /** Results of blocks jobs (their buffers may go back to the worker). */
  readonly #fromWorker = new WeakSet<Uint8Array>();
  readonly ready: Promise<void>;

  constructor() {
    this.#worker = new Worker(new URL('./lineWorkerThread.mjs', import.meta.url), {
      // not the parent's node flags (a test runner's hooks...): the entry registers tsx itself; a CPU profile
      // (--cpu-prof, as the download bench's DG_BENCH_PROFILE runs the gateway) covers the worker too
      execArgv: process.execArgv.filter((a) => a.startsWith('--cpu-prof')),
      // a small heap (its garbage dies young; it holds one chunk at a time): the worker adds little to the RSS
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    let up: () => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      up = resolve;
      this.#worker.once('error', reject);
      this.#worker.once('exit', () => reject(new Error('download worker exited before it was ready')));
    });
    this.ready.catch(() => {});
    this.#worker.on('message', (m: LineResult | { ready: true }) => {
      if ('ready' in m) {
        up();
        if (this.#pending.size === 0) this.#worker.unref();
        return;
      }
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if ('bytes' in m) {
        this.#fromWorker.add(m.bytes);
        p?.resolve(m.bytes);
      } else p?.reject(new Error(`download worker: ${m.error}`));
    });
    const fail = (e: Error) => {
      this.#failed = e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
      if (shared?.worker === this) shared = undefined;
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`download worker exited (${code})`)));
    // held open until it is ready, then only while jobs are out (an idle worker never keeps the process alive)
  }

  /**
   * Hands a blocks job's output back once it is written (the preparation knows when: its file write resolved), so
   * the worker reuses the memory. Nothing may read `bytes` after this.
   */
  recycle(bytes: Uint8Array): void {
    if (!this.#fromWorker.has(bytes) || this.#failed) return;
    this.#fromWorker.delete(bytes);
    this.#worker.postMessage({ recycle: bytes.buffer }, [bytes.buffer as ArrayBuffer]);
  }

  /** The job's bytes: its NDJSON lines, or a prepared dataset's blocks when it has `blocks`. */
  encode(job: Omit<LineJob, 'id'>): Promise<Uint8Array> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...job, id });
    });
  }
}

let shared: { worker: LineWorker; up: boolean } | undefined;
/** A worker that never got ready is not started again: downloads encode on the main thread instead. */
let cannotStart = false;

/** Whether the process's line worker is ready (without starting it). */
export function lineWorkerUp(): boolean {
  return shared?.up === true;
}

/**
 * The process's line worker once it is ready; undefined until then, or if it cannot start (the first call starts
 * it). One that fails after it was ready (its pending jobs fail) is replaced on the next call.
 */
export function lineWorker(): LineWorker | undefined {
  if (cannotStart) return undefined;
  if (!shared) {
    const s = { worker: new LineWorker(), up: false };
    shared = s;
    s.worker.ready.then(
      () => {
        s.up = true;
      },
      () => {
        cannotStart = true;
      },
    );
  }
  return shared.up ? shared.worker : undefined;
}
