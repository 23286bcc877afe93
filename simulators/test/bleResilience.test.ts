// Acceptance 4 (BLE part): disconnects mid-stream, adapter off/on, slow and silent peripherals, connect errors,
// bursts and garbage. The agent's BLE layer must reconnect by itself (backoff on the injected clock) and, at the
// sample level, deliver every notification that went on air exactly once and in order, and every stored record
// (indications) exactly once after reconnecting. Notifications a device sends while no central is subscribed are
// lost at the device, as on real hardware; they are counted by the peripheral, never invented or replayed.
import { type BleSampleEvent, BleSampleSource, createNobleWithBindings } from '@datagraph/agent/ble';
import { acmeBandSensor, builtinSensors } from '@datagraph/agent/sensors';
import { ManualClock } from '@datagraph/protocol';
import t from 'tap';
import {
  AcmeBandService,
  CurrentTimeService,
  HeartRateService,
  SimulatedPeripheral,
  SimulatedRadio,
  WeightScaleService,
} from '../src/index.ts';
import { drain, settle } from './helpers/settle.ts';

function rig() {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 6, 0, 0));
  const radio = new SimulatedRadio({ clock });
  const band = radio.add(new SimulatedPeripheral({ address: 'c0:00:00:00:00:01', name: 'Band' }));
  const hr = new HeartRateService(band);
  const acme = new AcmeBandService(band);
  const scaleP = radio.add(new SimulatedPeripheral({ address: 'c0:00:00:00:00:02', name: 'Scale' }));
  const scale = new WeightScaleService(scaleP);
  const scaleTime = new CurrentTimeService(scaleP, clock);
  const ble = new BleSampleSource({
    sensors: [...builtinSensors, acmeBandSensor],
    clock,
    noble: createNobleWithBindings(radio),
    timeoutMs: 5000,
    backoff: { initialMs: 1000, maxMs: 8000 },
  });
  const samples: BleSampleEvent[] = [];
  ble.on('sample', (e) => samples.push(e));
  const device = (addr: string) => ble.status().devices.find((d) => d.address === addr);
  const streaming = (addr: string) => device(addr)?.state === 'streaming';
  /** Wait until the device has connected once more than `before` (a fresh link object starts at 0). */
  const connections = (addr: string) => device(addr)?.connections ?? 0;
  // Each heart-rate notification carries a unique id in its RR field, so drops and duplicates are visible.
  let nextId = 1;
  const sent: number[] = [];
  const send = (n = 1) => {
    for (let i = 0; i < n; i++) {
      const id = nextId++;
      if (hr.measure({ bpm: 60 + (id % 100), rr1024: [id] })) sent.push(id);
    }
  };
  const receivedIds = () =>
    samples
      .filter((e) => e.sample.kind === 'rr_interval' && e.sample.hasValue)
      .map((e) => Math.round(((e.sample as { value: number }).value * 1024) / 1000));
  return {
    clock,
    radio,
    band,
    hr,
    acme,
    scaleP,
    scale,
    scaleTime,
    ble,
    samples,
    streaming,
    connections,
    send,
    sent,
    receivedIds,
  };
}

t.test('reconnects after every fault and never duplicates or skips an on-air notification', async (t) => {
  const r = rig();
  const { clock, radio, band, ble } = r;
  await ble.start();
  await settle(() => r.streaming(band.address) && r.streaming(r.scaleP.address), { what: 'both devices streaming' });

  // steady stream
  r.send(10);
  await drain();

  // 1. disconnect mid-stream: three notifications are on air when the link drops
  r.send(3);
  radio.dropConnection(band.id);
  r.send(4); // no link: lost at the device
  await settle(() => !r.streaming(band.address), { what: 'disconnect seen' });
  await settle(() => r.streaming(band.address), { clock, stepMs: 250, what: 'reconnect after drop' });
  r.send(5);
  await drain();

  // 2. adapter powered off and on
  radio.powerOff();
  await drain();
  r.send(2); // adapter off: lost
  t.equal(ble.status().adapter, 'poweredOff');
  t.equal(ble.status().devices.length, 0, 'links dropped with the adapter');
  radio.powerOn();
  await settle(() => r.streaming(band.address), { clock, stepMs: 250, what: 'reconnect after power on' });
  r.send(5);
  await drain();

  // 3. slow peripheral: every answer takes 3 s (under the 5 s timeout), through a reconnect
  radio.setFaults(band.id, { latencyMs: 3000 });
  radio.dropConnection(band.id);
  await settle(() => !r.streaming(band.address), { what: 'disconnect seen' });
  await settle(() => r.streaming(band.address), { clock, stepMs: 500, what: 'reconnect to a slow device' });
  radio.faults(band.id).clear();
  r.send(5);
  await drain();

  // 4. silent peripheral: service discovery never answered -> timeout -> reconnect
  radio.setFaults(band.id, { silence: { discoverServices: 1 } });
  radio.dropConnection(band.id);
  await settle(() => !r.streaming(band.address), { what: 'disconnect seen' });
  await settle(() => r.streaming(band.address), { clock, stepMs: 500, what: 'reconnect after a timeout' });
  r.send(5);
  await drain();

  // 5. two failed connection attempts, then success
  radio.setFaults(band.id, { connectErrors: 2 });
  radio.dropConnection(band.id);
  await settle(() => !r.streaming(band.address), { what: 'disconnect seen' });
  await settle(() => r.streaming(band.address), { clock, stepMs: 500, what: 'reconnect after connect errors' });

  // 6. a burst of 50 notifications in one go, and one garbled in the middle
  r.send(20);
  radio.setFaults(band.id, { garbage: 1 });
  r.send(30);
  await drain(10);

  const delivered = band.delivered
    .filter((d) => d.characteristic === '2a37' && !d.garbled)
    .map((d) => d.data.readUInt16LE(d.data.length - 2));
  const received = r.receivedIds();
  t.same(received, delivered, 'received exactly what went on air, in order');
  t.equal(new Set(received).size, received.length, 'no duplicates');
  const garbled = band.delivered.filter((d) => d.garbled).length;
  t.equal(garbled, 1);
  t.equal(
    received.length + garbled,
    r.sent.length,
    'every notification sent on a live link arrived (or was the garbled one)',
  );
  t.equal(band.dropped >= 6, true, 'notifications without a link were dropped at the device');

  const codes = new Set(ble.status().faults.map((f) => f.code));
  for (const code of [
    'AG_BLE_DISCONNECTED',
    'AG_BLE_ADAPTER_OFF',
    'AG_BLE_TIMEOUT',
    'AG_BLE_CONNECT_FAILED',
    'AG_BLE_MALFORMED',
  ] as const) {
    t.ok(codes.has(code), `fault ${code} reported`);
  }
  const dev = ble.status().devices.find((d) => d.address === band.address);
  t.equal(dev?.state, 'streaming', 'still streaming after garbage');
  t.ok(
    ble.status().sensors.some((s) => s.sensorId === 'heart-rate' && s.lastSampleAt === clock.now()),
    'status has the last sample time',
  );
  await ble.stop();
});

t.test('stored records (indications) arrive exactly once across reconnects, stamped by the device clock', async (t) => {
  const r = rig();
  const { clock, radio, ble } = r;
  await ble.start();
  await settle(() => r.streaming(r.scaleP.address), { what: 'scale streaming' });
  t.equal(r.scaleTime.writes.length, 1, 'agent wrote Current Time on connect');
  const stamps: number[] = [];
  const weigh = (raw: number) => {
    const at = Math.floor(r.scaleTime.now() / 1000) * 1000;
    stamps.push(at);
    r.scale.measure({ weightRaw: raw, timestamp: at });
  };
  weigh(14000);
  await drain();
  radio.setInRange(r.scaleP.id, false);
  await drain();
  for (let i = 1; i <= 3; i++) {
    clock.advance(60_000);
    weigh(14000 + i * 10); // stored on the scale while out of range
  }
  t.equal(r.scaleP.pending('181d', '2a9d'), 3);
  radio.setInRange(r.scaleP.id, true);
  await settle(
    () => r.scaleP.pending('181d', '2a9d') === 0 && r.samples.filter((e) => e.sample.kind === 'weight').length >= 4,
    {
      clock,
      stepMs: 250,
      what: 'stored records delivered',
    },
  );
  await drain();
  const weights = r.samples.filter((e) => e.sample.kind === 'weight');
  t.same(
    weights.map((e) => [(e.sample as { value: number }).value, e.sample.at]),
    [
      [70, stamps[0]],
      [70.05, stamps[1]],
      [70.1, stamps[2]],
      [70.15, stamps[3]],
    ],
    'each record once, in order, with the time the scale measured it',
  );
  t.ok(r.scaleTime.writes.length >= 2, 'Current Time written again on reconnect');
  await ble.stop();
});

t.test('cumulative step counter keeps steps taken while disconnected', async (t) => {
  const r = rig();
  const { clock, radio, ble, band } = r;
  await ble.start();
  await settle(() => r.streaming(band.address));
  r.acme.addSteps(100);
  await drain();
  radio.dropConnection(band.id);
  r.acme.addSteps(250); // notification lost, the counter is not
  await settle(() => !r.streaming(band.address));
  await settle(() => r.streaming(band.address), { clock, stepMs: 250 });
  r.acme.addSteps(50);
  await drain();
  const counts = r.samples
    .filter((e) => e.sample.kind === 'step_count')
    .map((e) => (e.sample as { value: number }).value);
  t.equal(counts.at(-1), 400, 'last counter value covers the gap');
  t.ok(counts.includes(350), 'counter read on reconnect');
  await ble.stop();
});

t.test('backoff grows while a device stays away, and resets after a good connection', async (t) => {
  const r = rig();
  const { clock, radio, ble, band } = r;
  await ble.start();
  await settle(() => r.streaming(band.address));
  radio.setFaults(band.id, { connectErrors: 4 });
  radio.dropConnection(band.id);
  await settle(() => !r.streaming(band.address));
  const gaps: number[] = [];
  let lastRetry: number | undefined;
  await settle(
    () => {
      const d = ble.status().devices.find((x) => x.address === band.address);
      if (d?.state === 'waiting' && d.retryAt !== undefined && d.retryAt !== lastRetry) {
        gaps.push(d.retryAt - clock.now());
        lastRetry = d.retryAt;
      }
      return d?.state === 'streaming';
    },
    { clock, stepMs: 100 },
  );
  t.same(gaps.slice(0, 5), [1000, 2000, 4000, 8000, 8000], 'exponential backoff capped at maxMs');
  radio.dropConnection(band.id);
  await drain();
  const d = ble.status().devices.find((x) => x.address === band.address);
  t.equal((d?.retryAt ?? 0) - clock.now(), 1000, 'reset after a good connection');
  await ble.stop();
});

t.test('scanning resumes after the bindings stop it to connect (HCI), so later devices are found', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const radio = new SimulatedRadio({ clock, stopScanOnConnect: true });
  const first = radio.add(new SimulatedPeripheral({ address: 'c0:00:00:00:02:01' }));
  new HeartRateService(first);
  const ble = new BleSampleSource({
    sensors: builtinSensors,
    clock,
    noble: createNobleWithBindings(radio),
    rescanDelayMs: 2000,
  });
  await ble.start();
  await settle(() => ble.status().devices.some((d) => d.state === 'streaming'));
  await drain();
  t.equal(radio.scanning, false, 'the HCI-like radio stopped scanning to connect');
  const late = new SimulatedPeripheral({ address: 'c0:00:00:00:02:02' });
  new HeartRateService(late);
  radio.add(late);
  await settle(() => ble.status().devices.filter((d) => d.state === 'streaming').length === 2, {
    clock,
    stepMs: 250,
    what: 'late device found after rescan',
  });
  t.equal(radio.scanning, false, 'connecting stopped the scan again');
  t.ok(ble.status().devices.some((d) => d.address === late.address));
  await ble.stop();
});

t.test('a device with none of the drivers characteristics is left alone', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const radio = new SimulatedRadio({ clock });
  const odd = radio.add(new SimulatedPeripheral({ address: 'c0:00:00:00:03:01' }));
  odd.addService('180d', [{ uuid: '2aff', properties: ['read'] }]); // advertises Heart Rate, has no 0x2A37
  const ble = new BleSampleSource({ sensors: builtinSensors, clock, noble: createNobleWithBindings(radio) });
  await ble.start();
  await settle(() => ble.status().devices[0]?.state === 'ignored');
  await drain();
  t.equal(odd.connected, false, 'disconnected');
  clock.advance(120_000);
  await drain();
  t.equal(radio.counters.connectAttempts, 1, 'never retried');
  await ble.stop();
});

t.test('stale advertisements of a connected device never start a second link', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const radio = new SimulatedRadio({ clock });
  const p = radio.add(new SimulatedPeripheral({ address: 'c0:00:00:00:04:01' }));
  const hr = new HeartRateService(p);
  const noble = createNobleWithBindings(radio);
  const ble = new BleSampleSource({ sensors: builtinSensors, clock, noble });
  const got: BleSampleEvent[] = [];
  ble.on('sample', (e) => got.push(e));
  await ble.start();
  await settle(() => ble.status().devices[0]?.state === 'streaming');
  const attempts = radio.counters.connectAttempts;
  // the scan stops and the agent restarts it: noble then forgets which devices it already reported
  radio.stopScanning();
  await drain();
  await settle(() => radio.scanning, { clock, stepMs: 500, what: 'agent rescans' });
  let reported = 0;
  noble.on('discover', () => reported++);
  for (let i = 0; i < 5; i++) radio.staleAdvertisement(p.id);
  await drain(10);
  t.ok(reported >= 1, 'noble passed the stale advertisement on');
  t.equal(ble.status().devices.length, 1);
  t.equal(radio.counters.connectAttempts, attempts, 'no second connection');
  hr.measure({ bpm: 70 });
  await drain();
  t.equal(got.filter((e) => e.sample.kind === 'heart_rate').length, 1, 'one sample per notification');
  await ble.stop();
});
