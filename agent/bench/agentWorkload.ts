// The workload of acceptance 5 (agent/bench/agent.bench.ts runs it): one agent with five simulated BLE sensors notifying at 1 Hz for a simulated hour, through the real
// noble over the simulated radio, into aggregation, consent, signing and the LevelDB outbox.
import { mkdtempSync, rmSync } from 'node:fs';
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
  generateKeyPair,
  ManualClock,
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
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

export interface WorkloadResult {
  baselineRss: number;
  peakRss: number;
  maxRssMb: number;
  cpuMs: number;
  wallMs: number;
  samples: number;
  updates: number;
}

export async function runWorkload(): Promise<WorkloadResult> {
  globalThis.gc?.();
  const baselineRss = rssMb();
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const radio = new SimulatedRadio({ clock });
  const mac = (i: number) => `c0:ff:ee:00:00:0${i}`;
  const straps = [1, 2, 3].map((i) => {
    const p = new SimulatedPeripheral({ address: mac(i), name: `HR Strap ${i}` });
    const hr = new HeartRateService(p);
    radio.add(p);
    return hr;
  });
  const podPeripheral = new SimulatedPeripheral({ address: mac(4), name: 'Foot Pod' });
  const pod = new RunningSpeedCadenceService(podPeripheral);
  radio.add(podPeripheral);
  const oxPeripheral = new SimulatedPeripheral({ address: mac(5), name: 'Oximeter' });
  const ox = new PulseOximeterService(oxPeripheral);
  radio.add(oxPeripheral);

  const dir = mkdtempSync(join(tmpdir(), 'dg-bench-'));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const ble = new BleSampleSource({ sensors: builtinSensors, clock, noble: createNobleWithBindings(radio) });
  let samples = 0;
  ble.on('sample', () => samples++);
  const agent = await createAgent({ device, dataDir: dir, clock, logger: pino({ level: 'silent' }), sources: [ble] });
  const fields = Object.fromEntries(FIELD_NAMES.map((f) => [f, [fieldSpec(f).cadence]])) as Partial<
    Record<FieldName, Cadence[]>
  >;
  const policy = ConsentPolicy.parse({
    v: 1,
    provider: provider.address,
    version: 1,
    fields,
    issuedAt: clock.now() / 1000,
    expiresAt: null,
  });
  await agent.receivePolicy(
    Buffer.from(JSON.stringify({ policy, proof: signValue(provider.privateKey, provider.publicKey, policy) })),
  );
  const deadline = Date.now() + 60_000;
  while (ble.status().devices.filter((d) => d.state === 'streaming').length < 5) {
    if (Date.now() > deadline) throw new Error('sensors did not start streaming');
    await drain(5);
  }

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
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  peakRss = Math.max(peakRss, rssMb());
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const status = agent.status();
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
  if (status.seq < 1) throw new Error('the hour produced no update');

  return {
    baselineRss,
    peakRss,
    maxRssMb,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    samples,
    updates: status.seq,
  };
}
