// Contract test: the real @stoprocent/noble (pinned 2.8.0), built over SimulatedRadio as its bindings, scans,
// connects, discovers, reads, writes, subscribes, receives notifications and indications, and sees disconnects
// and adapter power changes. If a noble upgrade changes the private bindings contract, this fails first.
import { createNobleWithBindings, installedNobleVersion, NOBLE_VERSION } from '@datagraph/agent/ble';
import { ManualClock, systemClock } from '@datagraph/protocol';
import t from 'tap';
import {
  BatteryService,
  CurrentTimeService,
  HeartRateService,
  parseCurrentTime,
  SimulatedPeripheral,
  SimulatedRadio,
  WeightScaleService,
} from '../src/index.ts';
import { drain, settle } from './helpers/settle.ts';

t.equal(installedNobleVersion(), NOBLE_VERSION, 'noble version pinned');

t.test('noble drives the simulated radio end to end', async (t) => {
  const radio = new SimulatedRadio({ clock: systemClock });
  const p = radio.add(new SimulatedPeripheral({ address: 'AA:BB:CC:00:00:01', name: 'Strap' }));
  const hr = new HeartRateService(p);
  new BatteryService(p, { level: 64 });
  const time = new CurrentTimeService(p, systemClock);
  const scale = new WeightScaleService(p);
  scale.measure({ weightRaw: 14100 }); // stored before anyone connects

  const noble = createNobleWithBindings(radio);
  await noble.waitForPoweredOnAsync(5000);
  t.equal(noble.state, 'poweredOn');

  const found: string[] = [];
  noble.on('discover', (per) => found.push(per.id));
  await noble.startScanningAsync(['180d'], false);
  await settle(() => found.length > 0, { what: 'discover' });
  await noble.stopScanningAsync();
  t.same(found, ['aabbcc000001'], 'discovered by advertised service, lowercase hex id');

  const per = await noble.connectAsync('aabbcc000001');
  t.equal(per.state, 'connected');
  t.equal(per.advertisement.localName, 'Strap');
  t.same(per.advertisement.serviceUuids, ['180d', '181d']);

  const services = await per.discoverServicesAsync([]);
  t.same(services.map((s) => s.uuid).sort(), ['1805', '180d', '180f', '181d']);
  const hrs = services.find((s) => s.uuid === '180d');
  const chars = (await hrs?.discoverCharacteristicsAsync([])) ?? [];
  t.same(
    chars.map((c) => [c.uuid, c.properties]),
    [
      ['2a37', ['notify']],
      ['2a38', ['read']],
      ['2a39', ['write']],
    ],
  );

  const bas = services.find((s) => s.uuid === '180f');
  const [level] = (await bas?.discoverCharacteristicsAsync(['2a19'])) ?? [];
  t.same([...((await level?.readAsync()) ?? [])], [64], 'read');

  const cts = services.find((s) => s.uuid === '1805');
  const [ct] = (await cts?.discoverCharacteristicsAsync(['2a2b'])) ?? [];
  const now = Date.UTC(2026, 0, 5, 8, 0, 0);
  const bytes = Buffer.from([0xea, 0x07, 1, 5, 8, 0, 0, 1, 0, 2]);
  await ct?.writeAsync(bytes, false);
  t.equal(time.writes.length, 1, 'write reached the peripheral');
  t.equal(time.writes[0]?.written, now);
  t.equal(parseCurrentTime((await ct?.readAsync()) as Buffer) - now < 60_000, true, 'device clock follows the write');

  const [measurement] = chars;
  const received: Buffer[] = [];
  measurement?.on('data', (data: Buffer, isNotification: boolean) => isNotification && received.push(data));
  t.equal(hr.measure({ bpm: 70 }), false, 'not subscribed yet: notification dropped');
  await measurement?.subscribeAsync();
  t.equal(hr.measure({ bpm: 71 }), true);
  await settle(() => received.length === 1, { what: 'notification' });
  t.same([...(received[0] ?? [])], [0x00, 71]);

  const descriptors = (await measurement?.discoverDescriptorsAsync()) ?? [];
  t.same(
    descriptors.map((d) => d.uuid),
    ['2902'],
    'CCCD',
  );
  t.equal(typeof (await per.updateRssiAsync()), 'number');

  const wss = services.find((s) => s.uuid === '181d');
  const [weight] = (await wss?.discoverCharacteristicsAsync(['2a9d'])) ?? [];
  const indicated: Buffer[] = [];
  weight?.on('data', (d: Buffer, n: boolean) => n && indicated.push(d));
  await weight?.subscribeAsync();
  await settle(() => indicated.length === 1, { what: 'stored indication' });
  t.same([...(indicated[0] ?? [])], [0x00, 0x14, 0x37], 'stored record indicated after subscribe');
  t.equal(p.pending('181d', '2a9d'), 0);

  const reason = new Promise((r) => per.once('disconnect', r));
  radio.dropConnection(p.id);
  t.equal(await reason, 0x08, 'HCI reason reaches noble');
  t.equal(hr.measure({ bpm: 72 }), false, 'no link: dropped');

  const states: string[] = [];
  noble.on('stateChange', (s: string) => states.push(s));
  radio.powerOff();
  await settle(() => states.includes('poweredOff'));
  radio.powerOn();
  await settle(() => states.includes('poweredOn'));
  t.same(states, ['poweredOff', 'poweredOn']);
  noble.stop();
});

t.test('faults: connect error, silence, latency, garbage', async (t) => {
  const clock = new ManualClock();
  const radio = new SimulatedRadio({ clock });
  const p = radio.add(new SimulatedPeripheral({ address: 'aa:bb:cc:00:00:02' }));
  const hr = new HeartRateService(p);
  const noble = createNobleWithBindings(radio);
  await noble.waitForPoweredOnAsync(5000);
  const seen: string[] = [];
  noble.on('discover', (per) => seen.push(per.id));
  await noble.startScanningAsync([], false);
  await settle(() => seen.length === 1);
  radio.setFaults(p.id, { connectErrors: 1 });
  await t.rejects(noble.connectAsync(p.id), /connection failed/);
  const per = await noble.connectAsync(p.id);

  radio.setFaults(p.id, { silence: { discoverServices: 1 } });
  let answered = false;
  per.discoverServices([], () => {
    answered = true;
  });
  await drain(50);
  clock.advance(60_000);
  await drain(50);
  t.notOk(answered, 'withheld answer never comes');

  radio.setFaults(p.id, { latencyMs: 3000 });
  let services: Array<{ uuid: string }> | undefined;
  const pending = per.discoverServicesAsync([]).then((s) => {
    services = s;
    return s;
  });
  await drain(50);
  t.equal(services, undefined, 'slow answer not there before its time');
  clock.advance(2999);
  await drain(20);
  t.equal(services, undefined);
  clock.advance(1);
  const list = await pending;
  t.same(
    list.map((s) => s.uuid),
    ['180d'],
    'answer arrives when the clock reaches the latency',
  );
  radio.faults(p.id).clear();

  const [c] = (await list[0]?.discoverCharacteristicsAsync(['2a37'])) ?? [];
  const got: Buffer[] = [];
  c?.on('data', (d: Buffer, n: boolean) => n && got.push(d));
  await c?.subscribeAsync();
  radio.setFaults(p.id, { garbage: 1, garbageBytes: Buffer.from([0xde, 0xad]) });
  hr.measure({ bpm: 60 });
  hr.measure({ bpm: 61 });
  await settle(() => got.length === 2);
  t.same(
    got.map((b) => b.toString('hex')),
    ['dead', '003d'],
  );
  t.same(
    p.delivered.map((d) => d.garbled),
    [true, false],
  );
  noble.stop();
});
