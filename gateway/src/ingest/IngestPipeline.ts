// Runs INGEST_STEPS for each update, one update at a time per device (so seq checks see every earlier
// update of that device), and does the atomic durable write: the encrypted vault row, the id and seq
// indexes and the batch journal entry, in one LevelDB batch. Only then is the update acked `accepted`.
import type { Clock } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { Batcher } from '../batcher/Batcher.ts';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';
import type { Registry } from '../registry/Registry.ts';
import type { GatewayStore } from '../store/GatewayStore.ts';
import type { Vault } from '../vault/Vault.ts';
import { INGEST_STEPS, type IngestContext, type IngestDeps, type IngestOutcome } from './ingestSteps.ts';

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
  readonly #lastSeq = new Map<string, number>();
  readonly #chains = new Map<string, Promise<unknown>>();

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
    this.#deps = {
      registry: o.registry,
      maxPayloadBytes: o.maxPayloadBytes,
      lastSeq: async (deviceId) => {
        const cached = this.#lastSeq.get(deviceId);
        if (cached !== undefined) return cached;
        const stored = (await store.get<number>('devseq', deviceId)) ?? 0;
        this.#lastSeq.set(deviceId, stored);
        return stored;
      },
      knownId: (id) => store.get<{ commitment: string }>('ids', id),
      persist: async ({ update, provider, entry }) => {
        const { body } = update;
        const row: VaultRow = {
          body,
          commitment: update.commitment,
          proof: update.proof,
          receivedAt: this.#clock.now(),
        };
        await store.write([
          await vault.rowOp(provider.provider, body.id, row),
          {
            type: 'put',
            sub: 'ids',
            key: body.id,
            value: { commitment: update.commitment, provider: body.provider, device: body.device, seq: body.seq },
          },
          { type: 'put', sub: 'devseq', key: body.device, value: body.seq },
          ...batcher.entryOps(entry),
        ]);
        this.#lastSeq.set(body.device, body.seq);
        batcher.added(1);
      },
    };
  }

  /** Ingest one PUBLISH payload from a connected device; never throws. */
  ingest(deviceId: string, payload: Buffer): Promise<IngestOutcome> {
    const prev = this.#chains.get(deviceId) ?? Promise.resolve();
    const run = prev.then(() => this.#run(deviceId, payload));
    const tail = run.catch(() => {});
    this.#chains.set(deviceId, tail);
    void tail.then(() => {
      if (this.#chains.get(deviceId) === tail) this.#chains.delete(deviceId);
    });
    return run;
  }

  /** Forget cached seqs of devices (after an erasure removed their indexes). */
  forgetDevices(deviceIds: string[]): void {
    for (const d of deviceIds) this.#lastSeq.delete(d);
  }

  async #run(deviceId: string, payload: Buffer): Promise<IngestOutcome> {
    const started = performance.now();
    const ctx: IngestContext = { deviceId, payload, receivedAt: this.#clock.now() };
    let outcome: IngestOutcome | null = null;
    try {
      for (const step of INGEST_STEPS) {
        outcome = await step(ctx, this.#deps);
        if (outcome) break;
      }
    } catch (e) {
      // A store failure or a bug: the device is told to retry later, nothing was acked accepted.
      this.#log.error({ device: deviceId, err: (e as Error).message }, 'ingest: internal error');
      outcome = {
        id: ctx.update?.body.id ?? '',
        status: 'rejected',
        code: 'GW_INTERNAL',
        message: 'gateway could not store the update; send it again later',
      };
    }
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
}
