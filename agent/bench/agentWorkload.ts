// The workload of acceptance 5 (agent/bench/agent.bench.ts runs it): one agent with five simulated BLE sensors
// notifying at 1 Hz for a simulated hour, through the real noble over the simulated radio, into aggregation, consent,
// signing and the LevelDB outbox, connected to an MQTT broker: the consent policy arrives over MQTT (retained) and
// the hour's update is published and acked over it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '@datagraph/agent';
import { BleSampleSource, createNobleWithBindings } from '@datagraph/agent/ble';
import { builtinSensors } from '@datagraph/agent/sensors';
import {
  type Cadence,
  ConsentPolicy,
  FIELD_NAMES,
  type FieldName,
  fieldSpec,
  type KeyPair,
  keyPairFromPrivateKey,
  ManualClock,
  type SignedPolicy,
  signValue,
} from '@datagraph/protocol';
import {
  HeartRateService,
  PulseOximeterService,
  RunningSpeedCadenceService,
  SimulatedPeripheral,
  SimulatedRadio,
} from '@datagraph/simulators';
import pino from 'pino';

const drain = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
const MB = 1024 * 1024;
const rssMb = () => process.memoryUsage().rss / MB;

/** The simulated hour starts here (UTC); the consent policy is issued at this time. */
export const BENCH_START = Date.UTC(2026, 0, 5);

/** The provider's signed consent policy for the bench: every catalogue field at its cadence. */
export function benchPolicy(provider: KeyPair): SignedPolicy {
  const fields = Object.fromEntries(FIELD_NAMES.map((f) => [f, [fieldSpec(f).cadence]])) as Partial<
    Record<FieldName, Cadence[]>
  >;
  const policy = ConsentPolicy.parse({
    v: 1,
    provider: provider.address,
    version: 1,
    fields,
    issuedAt: BENCH_START / 1000,
    expiresAt: null,
  });
  return { policy, proof: signValue(provider.privateKey, provider.publicKey, policy) };
}

export interface WorkloadOptions {
  /** mqtt:// URL of a broker that authenticates this device, holds its retained policy and acks its updates. */
  broker: string;
  /** The device key (hex private key). */
  devicePrivateKey: string;
}

/** Where the resident memory is at the end of the hour (MB). */
export interface MemoryBreakdown {
  /** V8 heap: committed, and used by live objects. */
  heapTotal: number;
  heapUsed: number;
  /** Memory V8 knows of outside its heap (Buffers). */
  external: number;
  /** Linux only: resident pages of the node executable (code and builtins, shared with other node processes). */
  nodeBinary?: number;
  /** Linux only: other files mapped (libc, libstdc++, the native modules). */
  otherFiles?: number;
  /** Linux only: anonymous memory (V8 heap, malloc arenas of node, LevelDB and the native modules, stacks). */
  anonymous?: number;
}

export interface WorkloadResult {
  baselineRss: number;
  peakRss: number;
  maxRssMb: number;
  cpuMs: number;
  wallMs: number;
  samples: number;
  updates: number;
  acked: number;
  memory: MemoryBreakdown;
}

function memoryBreakdown(): MemoryBreakdown {
  const m = process.memoryUsage();
  const out: MemoryBreakdown = { heapTotal: m.heapTotal / MB, heapUsed: m.heapUsed / MB, external: m.external / MB };
  try {
    let mapping = '';
    let nodeBinary = 0;
    let otherFiles = 0;
    let anonymous = 0;
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) {
        mapping = head[1] ?? '';
        continue;
      }
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (!rss) continue;
      const kb = Number(rss[1]) / 1024;
      if (mapping === process.execPath) nodeBinary += kb;
      else if (mapping.startsWith('/')) otherFiles += kb;
      else anonymous += kb;
    }
    Object.assign(out, { nodeBinary, otherFiles, anonymous });
  } catch {
    // not Linux: V8's figures only
  }
  return out;
}

export async function runWorkload(o: WorkloadOptions): Promise<WorkloadResult> {
  globalThis.gc?.();
  const baselineRss = rssMb();
  const clock = new ManualClock(BENCH_START);
  const radio = new SimulatedRadio({ clock });
  const peripheral = (i: number, name: string) => {
    const p = new SimulatedPeripheral({ address: `c0:ff:ee:00:00:0${i}`, name });
    // The log of every notification sent is the tests' ground truth; a wearable keeps none (nor does --simulate).
    p.logDeliveries = false;
    radio.add(p);
    return p;
  };
  const straps = [1, 2, 3].map((i) => new HeartRateService(peripheral(i, `HR Strap ${i}`)));
  const pod = new RunningSpeedCadenceService(peripheral(4, 'Foot Pod'));
  const ox = new PulseOximeterService(peripheral(5, 'Oximeter'));

  const dir = mkdtempSync(join(tmpdir(), 'dg-bench-'));
  const device = keyPairFromPrivateKey(o.devicePrivateKey);
  const ble = new BleSampleSource({ sensors: builtinSensors, clock, noble: createNobleWithBindings(radio) });
  let samples = 0;
  ble.on('sample', () => samples++);
  const agent = await createAgent({
    device,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    sources: [ble],
    broker: { url: o.broker },
  });
  const waitUntil = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`bench: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await waitUntil(() => agent.policy !== undefined, 'no consent policy arrived over MQTT');
  await waitUntil(
    () => ble.status().devices.filter((d) => d.state === 'streaming').length === 5,
    'sensors did not start streaming',
  );

  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let peakRss = rssMb();
  let kj = 0;
  for (let s = 0; s < 3600; s++) {
    clock.advance(1000);
    const bpm = 70 + Math.round(20 * Math.sin(s / 300));
    kj += s % 10 === 0 ? 1 : 0;
    for (const strap of straps) strap.measure({ bpm, energyKj: kj, rr1024: [800] });
    pod.measure({ speed256: 700, cadence: 160, distanceDm: s * 25, running: true });
    ox.continuous({ spo2: 97, pulse: bpm });
    await drain(3);
    if (s % 60 === 0) peakRss = Math.max(peakRss, rssMb());
  }
  await clock.advanceAsync(5 * 60_000, 30_000);
  await agent.closeDueWindows();
  await waitUntil(() => agent.status().seq > 0 && agent.status().outbox.depth === 0, 'the update was not acked');
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  peakRss = Math.max(peakRss, rssMb());
  const memory = memoryBreakdown();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const status = agent.status();
  await agent.close();
  rmSync(dir, { recursive: true, force: true });

  return {
    baselineRss,
    peakRss,
    maxRssMb,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    samples,
    updates: status.seq,
    acked: status.acks.delivered,
    memory,
  };
}
