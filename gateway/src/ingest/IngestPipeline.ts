// Runs INGEST_STEPS for each update and does the atomic durable write: the encrypted vault row, the id and seq
// indexes and the batch journal entry, in one LevelDB batch. Only then is the update acked `accepted`.
// The stateless steps (size, parse, identity, signature) run as soon as a PUBLISH arrives; from the dedup on, a
// device's updates go one at a time in arrival order, so seq checks see every earlier update of that device. The
// next update of a device does not wait for the previous one to be durable, only for its write to be queued
// (writes are applied in queue order): checks count queued writes as done, and a queued write that fails is
// taken back (its seq no longer counts, its id is not known), as if it had never been queued. A device's answers
// (acks, and with them the PUBACKs) still leave in the order its PUBLISHes arrived.
import type { Clock } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { Batcher } from '../batcher/Batcher.ts';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { Registry } from '../registry/Registry.ts';
import type { GatewayStore } from '../store/GatewayStore.ts';
import type { Vault } from '../vault/Vault.ts';
import { INGEST_STEPS, type IngestContext, type IngestDeps, type IngestOutcome, ORDERED_FROM } from './ingestSteps.ts';
import { verifyWorker } from './VerifyWorker.ts';

/** What the vault keeps per update: everything needed to release the row later with its proof. */
export interface VaultRow {
  body: unknown;
  commitment: string;
  proof: unknown;
  receivedAt: number;
}

export class IngestPipeline {
  readonly #deps: IngestDeps;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  /** Per device: the last durable seq, and the seqs of its queued writes in queue order. */
  readonly #seqs = new Map<string, { durable: number; queued: number[] }>();
  /** Updates whose write is queued and not yet durable, by id. */
  readonly #queuedIds = new Map<string, { commitment: string; durable: Promise<void> }>();
  readonly #chains = new Map<string, Promise<unknown>>();
  /** Per device, the last update's answer: answers (acks, PUBACKs) go out in arrival order. */
  readonly #answers = new Map<string, Promise<unknown>>();
  readonly #store: GatewayStore;

  constructor(o: {
    store: GatewayStore;
    vault: Vault;
    registry: Registry;
    batcher: Batcher;
    clock: Clock;
    log: Logger;
    metrics: GatewayMetrics;
    maxPayloadBytes: number;
  }) {
    this.#clock = o.clock;
    this.#log = o.log;
    this.#metrics = o.metrics;
    const { store, vault, batcher } = o;
    this.#store = store;
    this.#deps = {
      registry: o.registry,
      maxPayloadBytes: o.maxPayloadBytes,
      lastSeq: async (deviceId) => {
        const seqs = await this.#deviceSeqs(deviceId);
        return seqs.queued.at(-1) ?? seqs.durable;
      },
      knownId: async (id) => {
        const queued = this.#queuedIds.get(id);
        // Known only once durable: if that write fails, this update is refused too (send it again later).
        if (queued) return queued.durable.then(() => ({ commitment: queued.commitment }));
        return store.getSync<{ commitment: string }>('ids', id);
      },
      persist: async ({ update, provider, entry }) => {
        const { body } = update;
        const row: VaultRow = {
          body,
          commitment: update.commitment,
          proof: update.proof,
          receivedAt: this.#clock.now(),
        };
        const rowOp = await vault.rowOp(provider.provider, body.id, row);
        const seqs = await this.#deviceSeqs(body.device);
        const journal = batcher.entryOps(entry);
        const durable = store.write([
          rowOp,
          {
            type: 'put',
            sub: 'ids',
            key: body.id,
            value: { commitment: update.commitment, provider: body.provider, device: body.device, seq: body.seq },
          },
          { type: 'put', sub: 'devseq', key: body.device, value: body.seq },
          ...journal.ops,
        ]);
        seqs.queued.push(body.seq);
        const queued = { commitment: update.commitment, durable };
        this.#queuedIds.set(body.id, queued);
        const settle = (ok: boolean): void => {
          seqs.queued.splice(seqs.queued.indexOf(body.seq), 1);
          if (ok) seqs.durable = Math.max(seqs.durable, body.seq);
          if (this.#queuedIds.get(body.id) === queued) this.#queuedIds.delete(body.id);
        };
        durable.then(
          () => {
            settle(true);
            batcher.added(journal.key, entry);
          },
          () => settle(false),
        );
        return { durable };
      },
    };
  }

  async #deviceSeqs(deviceId: string): Promise<{ durable: number; queued: number[] }> {
    const cached = this.#seqs.get(deviceId);
    if (cached) return cached;
    const stored = (await this.#store.get<number>('devseq', deviceId)) ?? 0;
    const seqs = this.#seqs.get(deviceId) ?? { durable: stored, queued: [] };
    this.#seqs.set(deviceId, seqs);
    return seqs;
  }

  /** Ingest one PUBLISH payload from a connected device; never throws. */
  async ingest(deviceId: string, payload: Buffer): Promise<IngestOutcome> {
    const started = performance.now();
    const ctx: IngestContext = { deviceId, payload, receivedAt: this.#clock.now() };
    // The stateless steps now; the ordered ones when the device's previous update has had its turn.
    const early = this.#stateless(ctx);
    const turn = this.#after(this.#chains, deviceId, (prev) =>
      prev.then(() => early).then((outcome) => outcome ?? this.#steps(ctx, ORDERED_FROM)),
    );
    // An `accepted` once durable; any answer after the previous update's (a refusal does not overtake an
    // acceptance still being written).
    const answer = this.#after(this.#answers, deviceId, async (prev) => {
      let outcome = await turn;
      if (ctx.durable && outcome?.status === 'accepted') {
        try {
          await ctx.durable;
        } catch (e) {
          outcome = this.#internal(ctx, e);
        }
      }
      await prev;
      return outcome;
    });
    const outcome = await answer;
    const result = outcome ?? {
      id: ctx.update?.body.id ?? '',
      status: 'rejected',
      code: 'GW_INTERNAL',
      message: 'ingest ended without an outcome',
    };
    this.#metrics.ingested.inc({ status: result.status });
    if (result.code) this.#metrics.rejects.inc({ code: result.code });
    this.#metrics.ingestSeconds.observe((performance.now() - started) / 1000);
    if (result.status === 'rejected')
      this.#log.info({ device: deviceId, id: result.id, code: result.code }, 'ingest: update rejected');
    return result;
  }

  /** Run `next` after the device's last promise in `chains`, and make it the last (never rejects the chain). */
  #after<T>(
    chains: Map<string, Promise<unknown>>,
    deviceId: string,
    next: (prev: Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const run = next(chains.get(deviceId) ?? Promise.resolve());
    const tail = run.catch(() => {});
    chains.set(deviceId, tail);
    void tail.then(() => {
      if (chains.get(deviceId) === tail) chains.delete(deviceId);
    });
    return run;
  }

  /** Forget cached seqs of devices (after an erasure removed their indexes). */
  forgetDevices(deviceIds: string[]): void {
    for (const d of deviceIds) if (this.#seqs.get(d)?.queued.length === 0) this.#seqs.delete(d);
  }

  /** The steps before ORDERED_FROM, parse and signature on the verify worker when there is one. Never throws. */
  async #stateless(ctx: IngestContext): Promise<IngestOutcome | null> {
    const worker = ctx.payload.length <= this.#deps.maxPayloadBytes ? verifyWorker() : undefined;
    const checked = worker ? await worker.check(ctx.payload) : null;
    if (checked && 'outcome' in checked) return checked.outcome;
    if (checked) {
      ctx.update = checked.update;
      ctx.signatureVerdict = checked.verdict;
    }
    return this.#steps(ctx, 0, ORDERED_FROM);
  }

  /** Steps [from, to) in order; the first outcome ends the update. Never throws. */
  async #steps(ctx: IngestContext, from: number, to = INGEST_STEPS.length): Promise<IngestOutcome | null> {
    try {
      for (let i = from; i < to; i++) {
        const outcome = await (INGEST_STEPS[i] as (typeof INGEST_STEPS)[number])(ctx, this.#deps);
        if (outcome) return outcome;
      }
      return null;
    } catch (e) {
      return this.#internal(ctx, e);
    }
  }

  // A store failure or a bug: the device is told to retry later, nothing was acked accepted.
  #internal(ctx: IngestContext, e: unknown): IngestOutcome {
    this.#log.error({ device: ctx.deviceId, err: (e as Error).message }, 'ingest: internal error');
    return {
      id: ctx.update?.body.id ?? '',
      status: 'rejected',
      code: 'GW_INTERNAL',
      message: 'gateway could not store the update; send it again later',
    };
  }
}
