// BLE layer cost (part of acceptance 5): five simulated sensors notifying at 1 Hz for a simulated hour, through
// the real noble over the simulated radio into BleSampleSource. Reports samples delivered, CPU time, peak RSS,
// and the radio alone (peripherals notifying into noble with no agent) as the reference.
import { BleSampleSource, createNobleWithBindings } from '@datagraph/agent/ble';
import { acmeBandSensor, builtinSensors } from '@datagraph/agent/sensors';
import { ManualClock } from '@datagraph/protocol';
import { reportBench } from '../../bench/results.ts';
import {
  ACME_BAND_UUIDS,
  AcmeBandService,
  BatteryService,
  HeartRateService,
  PulseOximeterService,
  RunningSpeedCadenceService,
  SimulatedPeripheral,
  SimulatedRadio,
  sfloat,
} from '../src/index.ts';

const SECONDS = 3600;
const baselineRssMb = process.memoryUsage().rss / 2 ** 20; // node + tsx + the modules imported above
const tick = () => new Promise((r) => setImmediate(r));

async function run(withAgent: boolean) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const radio = new SimulatedRadio({ clock });
  const devices = [0, 1, 2, 3, 4].map((i) => {
    const p = radio.add(new SimulatedPeripheral({ address: `c0:00:00:00:01:0${i}`, name: `dev${i}` }));
    p.logDeliveries = false;
    return p;
  });
  const [a, b, c, d, e] = devices as [
    SimulatedPeripheral,
    SimulatedPeripheral,
    SimulatedPeripheral,
    SimulatedPeripheral,
    SimulatedPeripheral,
  ];
  const hr = new HeartRateService(a);
  const rsc = new RunningSpeedCadenceService(b);
  const plx = new PulseOximeterService(c);
  const acme = new AcmeBandService(d);
  new HeartRateService(e);
  const battery = new BatteryService(e, { advertise: true });
  const noble = createNobleWithBindings(radio);
  let samples = 0;
  let ble: BleSampleSource | undefined;
  if (withAgent) {
    ble = new BleSampleSource({ sensors: [...builtinSensors, acmeBandSensor], clock, noble });
    ble.on('sample', () => samples++);
    await ble.start();
    while ((ble.status().devices.filter((x) => x.state === 'streaming').length ?? 0) < 5) await tick();
  } else {
    await noble.waitForPoweredOnAsync();
    const seen = new Set<string>();
    noble.on('discover', (per) => seen.add(per.id));
    await noble.startScanningAsync([], false);
    while (seen.size < 5) await tick();
    await noble.stopScanningAsync();
    const subscriptions: Array<[SimulatedPeripheral, string, string]> = [
      [a, '180d', '2a37'],
      [b, '1814', '2a53'],
      [c, '1822', '2a5f'],
      [d, ACME_BAND_UUIDS.service, ACME_BAND_UUIDS.steps],
      [e, '180f', '2a19'],
    ];
    for (const [p, svc, chr] of subscriptions) {
      const per = await noble.connectAsync(p.id);
      const [s] = await per.discoverServicesAsync([svc]);
      const [ch] = (await s?.discoverCharacteristicsAsync([chr])) ?? [];
      ch?.on('data', () => samples++);
      await ch?.subscribeAsync();
    }
  }
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let s = 0; s < SECONDS; s++) {
    clock.advance(1000);
    hr.measure({ bpm: 60 + (s % 40), energyKj: s, rr1024: [1000] });
    rsc.measure({ speed256: 768, cadence: 170, strideCm: 110, distanceDm: s * 30 });
    plx.continuous({ spo2: sfloat(97), pulse: sfloat(62) });
    acme.addSteps(2);
    battery.setLevel(100 - (Math.floor(s / 60) % 100));
    await tick();
    if (s % 60 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  await tick();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await ble?.stop();
  return { samples, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peakRss / 2 ** 20 };
}

const reference = await run(false);
const agent = await run(true);
reportBench('ble', [
  { name: 'BLE layer: samples in a simulated hour (5 sensors at 1 Hz)', value: agent.samples, unit: 'samples' },
  {
    name: 'BLE layer: CPU time for the hour',
    value: agent.cpuMs,
    unit: 'ms',
    reference: { name: 'radio + noble only', value: reference.cpuMs, unit: 'ms' },
  },
  { name: 'BLE layer: wall time for the hour', value: agent.wallMs, unit: 'ms' },
  {
    name: 'BLE layer: peak RSS (process)',
    value: agent.peakRssMb,
    unit: 'MB',
    reference: { name: 'radio + noble only', value: reference.peakRssMb, unit: 'MB' },
    target: '<= 60 MB for the whole agent',
  },
  { name: 'process RSS before any work (node + tsx + imports)', value: baselineRssMb, unit: 'MB' },
]);
