// The main-thread side of verifyWorkerThread.ts: one worker per process, started with the first ingest and kept
// (unref'd while idle: it never holds the process open). The gateway's main thread runs aedes, the ingest order and
// the store; parsing and verifying updates is a fifth of its work per update and needs none of that state, so on a
// machine with a spare core it goes to this worker. Payloads that arrive in one event-loop turn go in one message.
// Until the worker is up, or if it fails, ingest runs the same steps inline.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { VerifyJob, VerifyResult } from './verifyWorkerThread.ts';

type Waiting = (r: VerifyResult | null) => void;

export class VerifyWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Waiting[]>();
  #next = 0;
  #batch: { payloads: Uint8Array[]; waiting: Waiting[] } | undefined;
  #failed = false;
  up = false;

  constructor() {
    this.#worker = new Worker(new URL('./verifyWorkerThread.mjs', import.meta.url));
    this.#worker.once('online', () => {
      this.up = true;
    });
    this.#worker.on('message', (m: { id: number; results: VerifyResult[] }) => {
      const waiting = this.#pending.get(m.id) ?? [];
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      for (let i = 0; i < waiting.length; i++) (waiting[i] as Waiting)(m.results[i] ?? null);
    });
    const fail = (): void => {
      this.#failed = true;
      this.up = false;
      for (const waiting of this.#pending.values()) for (const resolve of waiting) resolve(null);
      this.#pending.clear();
      if (shared === this) shared = undefined;
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
    // after the listeners (adding a 'message' listener refs the worker again)
    this.#worker.unref();
  }

  /** The parse step's refusal, or the parsed update with its signature verdict; null: run the steps inline. */
  check(payload: Buffer): Promise<VerifyResult | null> {
    if (this.#failed) return Promise.resolve(null);
    let batch = this.#batch;
    if (!batch) {
      const fresh = { payloads: [], waiting: [] };
      batch = fresh;
      this.#batch = fresh;
      setImmediate(() => this.#post(fresh));
    }
    const { payloads, waiting } = batch;
    return new Promise((resolve) => {
      payloads.push(payload);
      waiting.push(resolve);
    });
  }

  #post(batch: { payloads: Uint8Array[]; waiting: Waiting[] }): void {
    if (this.#batch === batch) this.#batch = undefined;
    if (this.#failed) {
      for (const resolve of batch.waiting) resolve(null);
      return;
    }
    const id = this.#next++;
    if (this.#pending.size === 0) this.#worker.ref();
    this.#pending.set(id, batch.waiting);
    this.#worker.postMessage({ id, payloads: batch.payloads } satisfies VerifyJob);
  }
}

let shared: VerifyWorker | undefined;

/** Whether the process's verify worker is up (without starting it). */
export function verifyWorkerUp(): boolean {
  return shared?.up === true;
}

/** The process's verify worker once it is up (the first call starts it); undefined until then and on one core. */
export function verifyWorker(): VerifyWorker | undefined {
  if (availableParallelism() < 2) return undefined;
  shared ??= new VerifyWorker();
  return shared.up ? shared : undefined;
}
