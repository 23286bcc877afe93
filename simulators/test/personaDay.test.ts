// A persona's day through the real noble over the simulated radio into the agent's BLE layer: every reading the
// persona put on air (notifications) or stored (indications) reaches the agent exactly once, with the same
// value, unit and time; readings sent while no central listened never appear. This is the BLE half of
// acceptance 1; the agent's aggregation test builds on the same truth.
import { Aggregator, type Draft } from '@datagraph/agent';
import { type BleSampleEvent, BleSampleSource } from '@datagraph/agent/ble';
import { acmeBandSensor, builtinSensors } from '@datagraph/agent/sensors';
import { ManualClock } from '@datagraph/protocol';
import t, { type Test } from 'tap';
import { createPersonaSimulation, type PersonaWorld, type SimulatedRadio, type TruthRecord } from '../src/index.ts';
import { drain, settle } from './helpers/settle.ts';

const MIN = 60_000;
const DAY = 1440 * MIN;
// Read on every connection (state, not events), so they are extra to the persona's stream by design.
const READ_ON_CONNECT = new Set(['battery', 'age', 'gender', 'step_count']);

async function runDay(
  persona: string,
  faults?: (minute: number, world: PersonaWorld, radio: SimulatedRadio) => void,
  stepMs = MIN,
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const { radio, world, noble } = createPersonaSimulation({ persona, seed: 3, clock });
  const ble = new BleSampleSource({ sensors: [...builtinSensors, acmeBandSensor], clock, noble, timeoutMs: 10_000 });
  const got: BleSampleEvent[] = [];
  const faultCodes = new Set<string>();
  const aggregator = new Aggregator();
  const drafts: Draft[] = [];
  ble.on('sample', (e) => {
    got.push(e);
    aggregator.add(e.sample);
  });
  world.on('meal', (r) => aggregator.add(r.sample));
  ble.on('fault', (f) => faultCodes.add(`${f.code}@${f.deviceAddress ?? 'adapter'}`));
  await ble.start();
  const devices = 1 + world.profile.devices.length;
  await settle(() => ble.status().devices.filter((d) => d.state === 'streaming').length === devices, {
    what: 'all devices streaming',
  });
  world.start();
  for (let m = 0; m < 1440; m++) {
    faults?.(m, world, radio);
    // small steps let a slow device's answers (latency on the clock) beat the agent's timeouts, as in real time
    for (let s = 0; s < MIN; s += stepMs) {
      clock.advance(stepMs);
      await drain(stepMs === MIN ? 4 : 1);
    }
    drafts.push(...aggregator.closeDue(clock.now(), 2 * MIN));
  }
  await settle(() => ble.status().devices.filter((d) => d.state === 'streaming').length === devices, {
    clock,
    stepMs: 1000,
  });
  await drain(10);
  world.stop();
  await ble.stop();
  clock.advance(DAY);
  drafts.push(...aggregator.closeDue(clock.now(), 2 * MIN));
  return { world, got, ble, faultCodes, drafts };
}

const key = (sensorId: string, s: TruthRecord['sample']) =>
  `${sensorId}|${s.kind}|${s.hasValue ? s.value : s.reason}|${s.unit}|${s.at}`;

function compare(t: Test, world: PersonaWorld, got: BleSampleEvent[]) {
  const expected = new Map<string, number>();
  const lost = new Set<string>();
  for (const r of world.truth) {
    if (r.via === 'app') continue;
    if (!r.onAir) {
      lost.add(key(r.sensorId, r.sample));
      continue;
    }
    const k = key(r.sensorId, r.sample);
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  const received = new Map<string, number>();
  for (const e of got) {
    const k = key(e.sensorId, e.sample);
    received.set(k, (received.get(k) ?? 0) + 1);
  }
  let missing = 0;
  let duplicated = 0;
  for (const [k, n] of expected) {
    const g = received.get(k) ?? 0;
    if (g < n) missing++;
    if (g > n && !READ_ON_CONNECT.has(k.split('|')[1] as string)) duplicated++;
  }
  const unexpected = [...received.keys()].filter(
    (k) => !expected.has(k) && !READ_ON_CONNECT.has(k.split('|')[1] as string),
  );
  t.equal(missing, 0, 'no on-air or stored reading missing');
  t.equal(duplicated, 0, 'no reading delivered twice');
  t.same(unexpected, [], 'nothing the persona did not send (reads on connect aside)');
  t.ok(
    [...lost].every((k) => !received.has(k) || READ_ON_CONNECT.has(k.split('|')[1] as string)),
    'readings sent without a listener never appear',
  );
  return { expected: [...expected.values()].reduce((a, b) => a + b, 0), lost: lost.size };
}

for (const persona of ['runner', 'office-worker', 'night-shift']) {
  t.test(`${persona}: a quiet day arrives exactly`, async (t) => {
    const { world, got } = await runDay(persona);
    const { expected, lost } = compare(t, world, got);
    t.ok(expected > 1440 * 4, `${expected} readings compared`);
    t.equal(lost, 0, 'nothing lost on a quiet day');
    const kinds = new Set(got.map((e) => e.sample.kind));
    for (const k of [
      'heart_rate',
      'energy_expended',
      'rr_interval',
      'step_count',
      'sleep_stage',
      'spo2',
      'battery',
      'age',
      'gender',
    ]) {
      t.ok(kinds.has(k as never), `received ${k}`);
    }
    const stamped = got.find((e) => ['weight', 'bp_systolic', 'temperature'].includes(e.sample.kind));
    t.ok(
      stamped && stamped.sample.at >= Date.UTC(2026, 0, 5),
      'stored measurements carry the time the agent wrote to the device',
    );
  });
}

t.test('runner: a day with drops, adapter off/on and a slow band still arrives exactly once', async (t) => {
  const { world, got, faultCodes } = await runDay(
    'runner',
    (m, w, radio) => {
      const band = w.band.peripheral.id;
      if (m === 120) radio.dropConnection(band);
      if (m === 400) radio.powerOff();
      if (m === 430) radio.powerOn();
      if (m === 600) radio.setFaults(band, { latencyMs: 4000 });
      if (m === 601) radio.dropConnection(band);
      if (m === 700) radio.faults(band).clear();
      if (m === 800 && w.scale) radio.setInRange(w.scale.peripheral.id, false);
      if (m === 1300 && w.scale) radio.setInRange(w.scale.peripheral.id, true);
    },
    1000,
  );
  const { lost } = compare(t, world, got);
  t.ok(lost > 0, `${lost} readings were sent while disconnected (and correctly never appear)`);
  const bandAddr = world.band.peripheral.address;
  const scaleAddr = world.scale?.peripheral.address;
  t.ok(faultCodes.has(`AG_BLE_DISCONNECTED@${bandAddr}`), 'band drop reported');
  t.ok(faultCodes.has('AG_BLE_ADAPTER_OFF@adapter'), 'adapter off reported');
  t.notOk(faultCodes.has(`AG_BLE_TIMEOUT@${bandAddr}`), 'a slow band (4 s answers) is slow, not dead');
  t.ok(faultCodes.has(`AG_BLE_TIMEOUT@${scaleAddr}`), 'connecting to the out-of-range scale times out and is retried');
  const day0 = Date.UTC(2026, 0, 5);
  const lostMinutes = world.truth
    .filter((r) => r.via === 'notify' && !r.onAir)
    .map((r) => Math.floor((r.sample.at - day0) / MIN));
  t.ok(
    lostMinutes.every((m) => m > 400 && m <= 431),
    'readings are lost only while the adapter was off (the drops reconnect within the minute)',
  );
  const sleep = got.filter((e) => e.sample.kind === 'sleep_stage');
  t.same(
    sleep.map((e) => e.sample.at),
    world.samplesOf('sleep_stage').map((r) => r.sample.at),
    'every sleep-stage record, including those stored during the outage',
  );
});

t.test(
  'runner: windows after drops and an adapter outage match a quiet day (none duplicated or skipped)',
  async (t) => {
    // Outage 06:40-07:10 UTC: adapter off for 30 minutes across an hour boundary, after the morning run started.
    const outage = { from: Date.UTC(2026, 0, 5, 6, 40), to: Date.UTC(2026, 0, 5, 7, 10) };
    const quiet = await runDay('runner');
    const faulted = await runDay(
      'runner',
      (m, w, radio) => {
        const band = w.band.peripheral.id;
        if (m === 60) radio.dropConnection(band);
        if (m === 400) radio.powerOff();
        if (m === 430) radio.powerOn();
        if (m === 900) radio.setFaults(band, { latencyMs: 4000 });
        if (m === 901) radio.dropConnection(band);
        if (m === 960) radio.faults(band).clear();
      },
      1000,
    );
    const id = (d: Draft) => `${d.cadence}@${new Date(d.window.startMs).toISOString()}`;
    t.same(faulted.drafts.map(id), quiet.drafts.map(id), 'the same windows, each once');
    const daily = (r: { drafts: Draft[] }) => r.drafts.find((d) => d.cadence === 'daily')?.fields ?? {};
    for (const f of ['steps_total', 'calories_burned_total', 'sleep_hours'] as const) {
      t.ok(daily(quiet)[f] !== undefined, `${f} present`);
      t.equal(daily(faulted)[f], daily(quiet)[f], `daily ${f} unchanged by the faults (counters and stored records)`);
    }
    const hourly = (r: { drafts: Draft[] }) => r.drafts.filter((d) => d.cadence === 'hourly');
    const touched = (d: Draft) => d.window.startMs < outage.to && d.window.endMs > outage.from;
    const qh = hourly(quiet);
    const fh = hourly(faulted);
    for (const [i, q] of qh.entries()) {
      const f = fh[i] as Draft;
      if (touched(q)) continue;
      // an hour without any counter notification has no steps field; a counter re-read there gives 0: same count
      t.equal(Number(f.fields.steps ?? 0), Number(q.fields.steps ?? 0), `steps in ${id(q)}`);
    }
    const sum = (ds: Draft[]) => ds.reduce((a, d) => a + Number(d.fields.steps ?? 0), 0);
    t.equal(sum(fh), sum(qh), 'steps taken during the outage are counted once, in the hour the counter was read again');
  },
);
