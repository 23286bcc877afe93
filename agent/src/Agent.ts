// The agent pipeline: samples -> aggregate -> (window closes) consent filter -> sign -> outbox -> MQTT.
// Wiring only; each stage lives in its own file. Time comes from the injected clock.
import {
  type Clock,
  type ConsentPolicy,
  canonicalJson,
  ProtocolError,
  type SignedPolicy,
  SignedUpdate,
  systemClock,
  type TimerHandle,
} from '@datagraph/protocol';
import pino, { type Logger } from 'pino';
import type { AgentOptions, SampleSource } from './AgentOptions.ts';
import { type AgentStatus, emptyWindowStats, type WindowStats } from './AgentStatus.ts';
import { Aggregator, type AggregatorState, type Draft } from './aggregate/Aggregator.ts';
import { buildUpdate, reissueUpdate } from './consent/buildUpdate.ts';
import { verifyPolicyMessage } from './consent/verifyPolicy.ts';
import { MqttLink, reconnectDelays } from './mqtt/MqttLink.ts';
import { Outbox, type OutboxEntry } from './outbox/Outbox.ts';
import { emptyPublisherStats, OutboxPublisher, type PublisherStats } from './outbox/OutboxPublisher.ts';
import { Sample } from './sample.ts';
import { createSerial } from './serial.ts';
import { AgentStore, type StoreOp } from './store/AgentStore.ts';

export const AGENT_VERSION = '0.1.0';
/** Samples stamped more than this ahead of the agent's clock are ignored (and counted in status). */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

export type { AgentOptions, SampleSource };

export class Agent {
  readonly deviceId: string;
  readonly #o: Required<Pick<AgentOptions, 'graceMs' | 'tickMs' | 'saveEveryMs'>> & AgentOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: AgentStore;
  readonly #outbox: Outbox;
  readonly #publisher: OutboxPublisher;
  readonly #aggregator: Aggregator;
  readonly #serial = createSerial();
  #link: MqttLink | null = null;
  #timer: TimerHandle | null = null;
  #seq: number;
  #signed: SignedPolicy | undefined;
  #provider: string | undefined;
  #lastProfileKey: string | undefined;
  /** The policy version the outbox was last made to match (see #reissueOutbox). */
  #reissuedFor: number | undefined;
  #windows: WindowStats;
  #policyProblem: { code: string; at: number } | null = null;
  #battery: number | undefined;
  #dirty = false;
  #forceSave = false;
  #futureSamples = 0;
  #lastSave = 0;
  #closed = false;

  private constructor(o: AgentOptions, store: AgentStore, outbox: Outbox, init: Awaited<ReturnType<typeof loadMeta>>) {
    this.#o = { graceMs: 120_000, tickMs: 30_000, saveEveryMs: 300_000, ...o };
    this.deviceId = o.device.address;
    this.#clock = o.clock ?? systemClock;
    this.#log = (o.logger ?? pino({ name: 'agent' })).child({ component: 'agent', device: this.deviceId });
    this.#store = store;
    this.#outbox = outbox;
    this.#aggregator = new Aggregator(init.aggregator);
    this.#seq = init.seq;
    this.#signed = init.policy;
    this.#provider = o.provider ?? init.provider;
    this.#lastProfileKey = init.lastProfileKey;
    this.#reissuedFor = init.reissuedFor;
    this.#windows = init.windows;
    this.#publisher = new OutboxPublisher(
      {
        outbox,
        clock: this.#clock,
        networkClock: o.networkClock ?? systemClock,
        logger: this.#log,
        publish: (p) => this.#link?.publishUpdate(p),
        ready: () => this.#link?.ready ?? false,
        persist: (stats) => ({ type: 'put', where: 'meta', key: 'acks', value: stats }),
        inFlightWindow: o.inFlightWindow ?? 16,
        ackTimeoutMs: o.ackTimeoutMs ?? 60_000,
        serial: this.#serial,
        policyVersion: () => this.#signed?.policy.version,
      },
      init.acks,
    );
  }

  static async create(o: AgentOptions): Promise<Agent> {
    if (o.broker) reconnectDelays(o.broker); // refuse bad options before anything is opened or started
    const store = await AgentStore.open(o.dataDir);
    try {
      const outbox = await Outbox.load(store, o.outboxCapBytes ?? 16 * 1024 * 1024);
      const agent = new Agent(o, store, outbox, await loadMeta(store));
      await agent.#start();
      return agent;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  readonly #onSourceSample = (e: { sample: Sample }) => {
    try {
      this.record(e.sample);
    } catch (err) {
      this.#log.warn({ code: (err as ProtocolError).code ?? 'AG_SAMPLE_INVALID' }, 'sample from a source ignored');
    }
  };

  async #start(): Promise<void> {
    // a policy change whose re-issue a crash interrupted: finish it before anything is sent
    const policy = this.#signed?.policy;
    if (policy && this.#reissuedFor !== policy.version) await this.#serial(() => this.#reissueOutbox(policy));
    await this.closeDueWindows(); // catch up on windows that ended while the agent was not running
    this.#schedule();
    for (const src of this.#o.sources ?? []) {
      src.on('sample', this.#onSourceSample);
      await src.start();
    }
    if (this.#o.broker) {
      this.#link = new MqttLink({
        url: this.#o.broker.url,
        device: this.#o.device,
        // CONNECT passwords are checked against the gateway's wall clock, even when the device's day is simulated.
        clock: this.#o.networkClock ?? systemClock,
        logger: this.#log,
        agentVersion: AGENT_VERSION,
        reconnectPeriodMs: this.#o.broker.reconnectPeriodMs,
        reconnectMaxMs: this.#o.broker.reconnectMaxMs,
        clientOptions: this.#o.broker.clientOptions,
        battery: () => this.#battery,
        onPolicy: (payload) => void this.receivePolicy(payload),
        onAck: (payload) => void this.#publisher.onAck(payload).then(() => this.#report()),
        onConnect: () => void this.#publisher.pump().then(() => this.#report()),
        onDisconnect: () => {
          this.#publisher.disconnected();
          this.#report();
        },
      });
    }
  }

  /**
   * Feed one sample from a non-BLE source (a phone app logging a meal, a watch's own sensors). Samples are
   * aggregated on the device and never leave it; only consented window aggregates do. A sample stamped more than
   * 10 minutes ahead of the agent's clock is ignored and counted (`status().samples.future`).
   * @example
   * agent.record({ hasValue: true, kind: 'calories_consumed', value: 640, unit: 'kcal', at: Date.now() });
   */
  record(sample: Sample): void {
    const parsed = Sample.safeParse(sample);
    if (!parsed.success)
      throw new ProtocolError('AG_SAMPLE_INVALID', undefined, {
        details: { problems: parsed.error.issues.map((i) => i.path.join('.')) },
      });
    // A time far ahead of the agent's clock is a device clock fault: such a window would never close.
    if (parsed.data.at > this.#clock.now() + FUTURE_TOLERANCE_MS) {
      this.#futureSamples++;
      return;
    }
    if (parsed.data.hasValue && parsed.data.kind === 'battery' && typeof parsed.data.value === 'number')
      this.#battery = Math.round(parsed.data.value);
    this.#aggregator.add(parsed.data);
    this.#dirty = true;
  }

  /** Close every window that is due at the clock's current time, and save the aggregate state. */
  closeDueWindows(): Promise<void> {
    return this.#serial(async () => {
      const drafts = this.#aggregator.closeDue(this.#clock.now(), this.#o.graceMs);
      const saveDue = this.#dirty && this.#clock.now() - this.#lastSave >= this.#o.saveEveryMs;
      if (drafts.length === 0 && !saveDue && !this.#forceSave) return;
      this.#forceSave = false;
      const entries: OutboxEntry[] = [];
      const windows = { ...this.#windows };
      let seq = this.#seq;
      let profileKey = this.#lastProfileKey;
      for (const draft of drafts) {
        const r = this.#build(draft, seq + 1, windows);
        if (!r) continue;
        if (draft.cadence === 'profile') {
          const key = canonicalJson({ fields: r.body.fields, policyVersion: r.body.policyVersion });
          if (key === profileKey) continue; // unchanged profile: nothing new to share
          profileKey = key;
        }
        seq = r.body.seq;
        windows.emitted++;
        entries.push({ seq, id: r.body.id, cadence: r.body.cadence, payload: JSON.stringify(r) });
      }
      const add = this.#outbox.prepareAdd(entries);
      const droppedBefore = { ...this.#outbox.counts.dropped };
      const ops: StoreOp[] = [
        ...add.ops,
        { type: 'put', where: 'meta', key: 'aggregator', value: this.#aggregator.state },
        { type: 'put', where: 'meta', key: 'seq', value: seq },
        { type: 'put', where: 'meta', key: 'windows', value: windows },
      ];
      if (profileKey !== undefined) ops.push({ type: 'put', where: 'meta', key: 'lastProfileKey', value: profileKey });
      this.#dirty = false;
      this.#lastSave = this.#clock.now();
      // fsync only when the outbox changes: aggregate state alone may lose a few samples in a power cut, never a window.
      await this.#store.write(ops, { sync: add.ops.length > 0 });
      add.apply();
      const dropped = this.#outbox.counts.dropped;
      if (dropped.hourly !== droppedBefore.hourly || dropped.daily !== droppedBefore.daily) {
        this.#log.warn({ code: 'AG_OUTBOX_OVERFLOW', dropped }, 'outbox at its disk cap: oldest updates dropped');
      }
      this.#seq = seq;
      this.#windows = windows;
      this.#lastProfileKey = profileKey;
      if (entries.length) {
        this.#log.info({ updates: entries.length, depth: this.#outbox.depth }, 'windows closed');
        void this.#publisher.pump();
      }
      this.#report();
    });
  }

  #build(draft: Draft, seq: number, windows: WindowStats) {
    const policy = this.#signed?.policy;
    if (!policy) {
      windows.withheldNoPolicy++;
      return null;
    }
    const r = buildUpdate(draft, policy, this.#o.device, seq, this.#o.privacySteps);
    if (r.kind === 'withheld') windows.withheldByPolicy++;
    if (r.kind === 'invalid') {
      windows.invalid++;
      this.#log.error(
        { code: 'AG_UPDATE_INVALID', problems: r.problems, cadence: draft.cadence },
        'update failed the outbound schema: not sent',
      );
    }
    return r.kind === 'update' ? r.update : null;
  }

  /** Handle a message from dg/v1/policy/{deviceId}: verify, persist, apply. An empty retained message withdraws it. */
  receivePolicy(payload: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      if (payload.length === 0) {
        if (this.#signed) this.#log.warn('policy withdrawn: nothing is shared until a new one arrives');
        this.#signed = undefined;
        await this.#store.write([{ type: 'del', where: 'meta', key: 'policy' }]);
        return this.#report();
      }
      const v = verifyPolicyMessage(payload, this.#provider, this.#signed?.policy);
      if (!v.ok) {
        this.#policyProblem = { code: v.code, at: this.#clock.now() };
        this.#log.warn({ code: v.code }, v.message);
        return this.#report();
      }
      this.#policyProblem = null;
      // The retained copy arrives again on every reconnect: the same signed policy changes nothing.
      if (this.#signed && canonicalJson(this.#signed) === canonicalJson(v.signed)) return this.#report();
      this.#signed = v.signed;
      this.#provider = v.signed.policy.provider;
      await this.#store.write([
        { type: 'put', where: 'meta', key: 'policy', value: v.signed },
        { type: 'put', where: 'meta', key: 'provider', value: this.#provider },
      ]);
      this.#log.info({ version: v.signed.policy.version }, 'consent policy in force');
      await this.#reissueOutbox(v.signed.policy);
      this.#report();
    });
  }

  /**
   * Make every outbox update that names an earlier policy again under `policy` (the gateway refuses any version but
   * the current one, so they would otherwise end as dead letters): same id and seq, fields filtered by the new
   * policy, fresh salt and signature; a window the new policy withholds is deleted. In chunks, so memory stays
   * bounded however deep the outbox; `reissuedFor` is written last, so a crash part-way is finished at the next start.
   * Runs inside #serial.
   */
  async #reissueOutbox(policy: ConsentPolicy): Promise<void> {
    const done = { reissued: 0, withheld: 0 };
    const seqs = this.#outbox.seqs();
    for (let i = 0; i < seqs.length; i += 100) {
      const changes: { seq: number; payload: string | null }[] = [];
      for (const seq of seqs.slice(i, i + 100)) {
        const payload = await this.#outbox.payload(seq);
        if (payload === undefined) continue;
        const parsed = SignedUpdate.safeParse(safeJson(payload));
        // Written by this agent, so always an update; one that is not is left as it is (sent, and settled by its ack).
        if (!parsed.success) {
          this.#log.warn({ code: 'AG_OUTBOX_ENTRY_INVALID', seq }, 'outbox entry is not an update: left as it is');
          continue;
        }
        const update = parsed.data;
        if (update.body.policyVersion === policy.version) continue;
        const r = reissueUpdate(update, policy, this.#o.device, this.#o.privacySteps);
        changes.push({ seq, payload: r.kind === 'update' ? JSON.stringify(r.update) : null });
      }
      if (changes.length === 0) continue;
      const withheld = changes.filter((c) => c.payload === null).length;
      const windows = { ...this.#windows, withheldByPolicy: this.#windows.withheldByPolicy + withheld };
      await this.#outbox.replace(changes, [{ type: 'put', where: 'meta', key: 'windows', value: windows }]);
      this.#windows = windows;
      done.reissued += changes.length - withheld;
      done.withheld += withheld;
    }
    await this.#store.write([{ type: 'put', where: 'meta', key: 'reissuedFor', value: policy.version }]);
    this.#reissuedFor = policy.version;
    if (done.reissued + done.withheld > 0)
      this.#log.info({ version: policy.version, ...done }, 'outbox updates made again under the new policy');
    this.#publisher.policyChanged();
  }

  get policy(): ConsentPolicy | undefined {
    return this.#signed?.policy;
  }

  status(): AgentStatus {
    const p = this.#signed?.policy;
    return {
      deviceId: this.deviceId,
      provider: this.#provider ?? null,
      agentVersion: AGENT_VERSION,
      at: this.#clock.now(),
      connected: this.#link?.ready ?? false,
      running: !this.#closed,
      policy: p
        ? {
            version: p.version,
            issuedAt: p.issuedAt,
            expiresAt: p.expiresAt,
            fields: p.fields,
            generalisation: p.generalisation,
          }
        : null,
      policyProblem: this.#policyProblem,
      seq: this.#seq,
      outbox: {
        depth: this.#outbox.depth,
        bytes: this.#outbox.bytes,
        inFlight: this.#publisher.inFlight,
        heldForPolicy: this.#publisher.heldForPolicy,
        dropped: this.#outbox.counts.dropped,
      },
      acks: this.#publisher.stats,
      deadLetters: this.#publisher.stats.deadLettered,
      windows: this.#windows,
      samples: { ...this.#aggregator.state.counts, future: this.#futureSamples },
      sensors: [
        ...(this.#o.sources ?? []).map((src) => src.status?.() ?? null).filter((x) => x !== null),
        ...(this.#o.sensorStatus?.() ?? []),
      ],
    };
  }

  /** Updates waiting in the outbox for the gateway's ack, oldest first (what will be published, byte for byte). */
  async pending(): Promise<SignedUpdate[]> {
    const out: SignedUpdate[] = [];
    for (const seq of this.#outbox.seqs()) {
      const payload = await this.#outbox.payload(seq);
      if (payload !== undefined) out.push(JSON.parse(payload) as SignedUpdate);
    }
    return out;
  }

  /** Dead letters: updates the gateway rejected, with its code. */
  async deadLetters(): Promise<
    { seq: number; id: string; cadence: string; code: string; message?: string; at: number }[]
  > {
    return (await this.#store.entries<OutboxEntry & { code: string; message?: string; at: number }>('dead')).map(
      ([, e]) => ({
        seq: e.seq,
        id: e.id,
        cadence: e.cadence,
        code: e.code,
        message: e.message,
        at: e.at,
      }),
    );
  }

  #schedule(): void {
    // Fixed-rate ticks on the agent's clock (re-armed at once, so a simulated clock never outruns them);
    // closes run one at a time in the serial queue, each reading the clock when it runs.
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#closed) return;
      this.#schedule();
      void this.closeDueWindows().catch((err) => this.#log.error({ err }, 'closing windows failed'));
    }, this.#o.tickMs);
  }

  #report(): void {
    if (this.#o.onStatus && !this.#closed) this.#o.onStatus(this.status());
  }

  /** Save state, say offline, disconnect and close the store. The outbox keeps whatever is unacked. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const src of this.#o.sources ?? []) {
      src.off('sample', this.#onSourceSample);
      await src.stop().catch((err) => this.#log.warn({ err }, 'stopping a source failed'));
    }
    this.#forceSave = true;
    await this.closeDueWindows().catch((err) => this.#log.error({ err }, 'final save failed'));
    this.#o.onStatus?.({ ...this.status(), running: false, connected: false });
    this.#closed = true;
    this.#timer?.cancel();
    this.#publisher.close();
    await this.#link?.close();
    await this.#serial(() => this.#store.close());
  }
}

async function loadMeta(store: AgentStore) {
  return {
    aggregator: await store.get<AggregatorState>('meta', 'aggregator'),
    seq: (await store.get<number>('meta', 'seq')) ?? 0,
    policy: await store.get<SignedPolicy>('meta', 'policy'),
    provider: await store.get<string>('meta', 'provider'),
    lastProfileKey: await store.get<string>('meta', 'lastProfileKey'),
    reissuedFor: await store.get<number>('meta', 'reissuedFor'),
    windows: (await store.get<WindowStats>('meta', 'windows')) ?? emptyWindowStats(),
    // stats persisted by an older agent lack the newer counters: they start at zero
    acks: { ...emptyPublisherStats(), ...(await store.get<PublisherStats>('meta', 'acks')) },
  };
}

/**
 * Start an agent: opens its store, closes windows that ended while it was off, connects to the broker.
 * @example
 * import { createAgent } from '@datagraph/agent';
 * import { generateKeyPair } from '@datagraph/protocol';
 * const agent = await createAgent({ device: generateKeyPair(), dataDir: '/tmp/my-agent' });
 * agent.record({ hasValue: true, kind: 'heart_rate', value: 62, unit: 'bpm', at: Date.now() });
 * await agent.close();
 */
export function createAgent(options: AgentOptions): Promise<Agent> {
  return Agent.create(options);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
