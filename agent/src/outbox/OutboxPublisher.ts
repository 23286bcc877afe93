// Publishes the outbox in seq order with a bounded in-flight window and settles entries on application acks:
// accepted / duplicate -> deleted; rejected -> dead-letter store with the gateway's code; committed -> recorded, and
// deleted too if the entry is still there (its `accepted` ack was lost to a reconnect).
// After a disconnect everything unacked is in flight again from the oldest; an ack that never comes (gateway
// restarted mid-message) is retried after `ackTimeoutMs` of the network clock. The gateway dedupes by id.
import { Ack, type Clock, parseJson, type TimerHandle } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { StoreOp } from '../store/AgentStore.ts';
import type { Outbox } from './Outbox.ts';

export interface AckRecord {
  id: string;
  seq: number | null;
  status: Ack['status'];
  code?: string;
  ordinal?: number;
  at: number;
}

/**
 * Counts of acks by status: `accepted`, `duplicate` and `rejected` count the acks that settled an outbox entry,
 * `committed` every committed ack, `unknownAcks` the other acks for ids not in the outbox.
 */
export interface PublisherStats {
  accepted: number;
  duplicate: number;
  rejected: number;
  committed: number;
  /**
   * Outbox entries the gateway confirmed it holds: settled by `accepted`, `duplicate`, or by `committed` when the
   * `accepted` ack was lost. Every update the gateway holds from this device is counted here once.
   */
  delivered: number;
  unknownAcks: number;
  /** Updates moved to the dead-letter store (rejected while still in the outbox). */
  deadLettered: number;
  lastAck: AckRecord | null;
  lastCommitted: AckRecord | null;
}

export interface PublisherDeps {
  outbox: Outbox;
  /** The agent's clock: timestamps in records. */
  clock: Clock;
  /** Real time for the ack timeout. */
  networkClock: Clock;
  logger: Logger;
  publish(payload: string): void;
  ready(): boolean;
  /** Persist the stats with the entry's removal (same batch). */
  persist(stats: PublisherStats): StoreOp;
  inFlightWindow: number;
  ackTimeoutMs: number;
  /** Runs store-changing work one at a time, shared with the window closer so the outbox index stays coherent. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** The version of the consent policy in force on the device, if any. */
  policyVersion(): number | undefined;
}

export function emptyPublisherStats(): PublisherStats {
  return {
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    committed: 0,
    delivered: 0,
    unknownAcks: 0,
    deadLettered: 0,
    lastAck: null,
    lastCommitted: null,
  };
}

export class OutboxPublisher {
  readonly #d: PublisherDeps;
  readonly #inFlight = new Map<number, number>();
  /** Refused with GW_POLICY_VERSION: the gateway has a newer policy; not sent again until the device has it too. */
  readonly #held = new Set<number>();
  /** Sent again once after such a refusal, under the device's current policy. */
  readonly #resent = new Set<number>();
  #pumping = false;
  #again = false;
  #timer: TimerHandle | null = null;
  stats: PublisherStats;

  constructor(deps: PublisherDeps, stats: PublisherStats) {
    this.#d = deps;
    this.stats = stats;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get heldForPolicy(): number {
    return this.#held.size;
  }

  /** A new policy is in force and the outbox was made again under it (Agent #reissueOutbox): send what was held. */
  policyChanged(): void {
    this.#held.clear();
    this.#resent.clear();
    // entries the new policy withheld are gone from the outbox: their slots in the window are free
    for (const seq of [...this.#inFlight.keys()]) if (!this.#d.outbox.has(seq)) this.#inFlight.delete(seq);
    void this.pump();
  }

  /** Send what the window allows, oldest first. Safe to call often; runs one at a time. */
  async pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (const seq of this.#d.outbox.seqs()) {
          if (!this.#d.ready() || this.#inFlight.size >= this.#d.inFlightWindow) break;
          if (this.#inFlight.has(seq) || this.#held.has(seq)) continue;
          const payload = await this.#d.outbox.payload(seq);
          if (payload === undefined || !this.#d.ready()) continue;
          this.#inFlight.set(seq, this.#d.networkClock.now());
          this.#d.publish(payload);
        }
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
    this.#armTimer();
  }

  /** The link dropped: nothing is in flight any more; the next connect starts again from the oldest entry. */
  disconnected(): void {
    this.#inFlight.clear();
  }

  /** Handle one payload from dg/v1/ack/{deviceId}. Acks are settled one at a time, in arrival order. */
  onAck(payload: Uint8Array): Promise<void> {
    return this.#d
      .serial(() => this.#settle(payload))
      .catch((err) => this.#d.logger.error({ err }, 'ack handling failed'));
  }

  async #settle(payload: Uint8Array): Promise<void> {
    let ack: Ack;
    try {
      ack = Ack.parse(parseJson(payload, 'ack'));
    } catch {
      this.#d.logger.warn('ignored an ack that is not a valid Ack');
      return;
    }
    const seq = this.#d.outbox.seqOf(ack.id) ?? null;
    const rec: AckRecord = { id: ack.id, seq, status: ack.status, at: this.#d.clock.now() };
    if (ack.code !== undefined) rec.code = ack.code;
    if (ack.ordinal !== undefined) rec.ordinal = ack.ordinal;
    if (seq !== null && ack.status === 'rejected' && ack.code === 'GW_POLICY_VERSION') {
      // The update names a policy version the gateway no longer takes: never a dead letter. If what was refused is
      // an older copy and the stored update was made again under the device's current policy, that goes once;
      // otherwise the gateway has a policy the device has not received yet (it is retained on the policy topic):
      // the update waits for it.
      this.#inFlight.delete(seq);
      const stored = await this.#d.outbox.payload(seq);
      const named = stored === undefined ? undefined : policyVersionOf(stored);
      if (named === undefined || named !== this.#d.policyVersion() || this.#resent.has(seq)) this.#held.add(seq);
      else this.#resent.add(seq);
      this.#d.logger.info(
        { seq, held: this.#held.has(seq) },
        'update refused for its policy version: it goes again under the current policy',
      );
      void this.pump();
      return;
    }
    const stats = structuredClone(this.stats);
    if (ack.status === 'committed') {
      stats.committed++;
      stats.lastCommitted = rec;
    } else if (seq === null) {
      // Not (or no longer) in the outbox: a repeated ack, or one for an update dropped over the cap.
      stats.unknownAcks++;
    } else {
      stats[ack.status]++;
      stats.lastAck = rec;
    }
    if (seq === null) {
      this.stats = stats;
      return;
    }
    const dead =
      ack.status === 'rejected'
        ? { code: ack.code ?? 'GW_REJECTED', message: ack.message ?? '', at: rec.at }
        : undefined;
    if (dead) stats.deadLettered++;
    else stats.delivered++;
    if (dead)
      this.#d.logger.warn(
        { code: 'AG_UPDATE_REJECTED', seq, gatewayCode: dead.code },
        'update rejected by the gateway: moved to dead letters',
      );
    await this.#d.outbox.remove(seq, dead, [this.#d.persist(stats)]);
    this.stats = stats;
    this.#forget(seq);
    void this.pump();
  }

  #armTimer(): void {
    if (this.#timer || this.#inFlight.size === 0) return;
    this.#timer = this.#d.networkClock.setTimeout(() => {
      this.#timer = null;
      const now = this.#d.networkClock.now();
      for (const [seq, sentAt] of this.#inFlight) if (now - sentAt >= this.#d.ackTimeoutMs) this.#inFlight.delete(seq);
      void this.pump();
    }, this.#d.ackTimeoutMs);
  }

  /** Forget a deleted entry (acked, dead-lettered, withheld by a new policy). */
  #forget(seq: number): void {
    this.#inFlight.delete(seq);
    this.#held.delete(seq);
    this.#resent.delete(seq);
  }

  close(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }
}

function policyVersionOf(payload: string): number | undefined {
  try {
    const v = (JSON.parse(payload) as { body?: { policyVersion?: unknown } }).body?.policyVersion;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}
