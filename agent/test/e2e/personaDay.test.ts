// Acceptance 1: one persona's simulated day through the real noble over the simulated radio, into the agent and out
// over MQTT to a real aedes broker, yields exactly the hourly and daily updates an independent computation over the
// persona's raw samples gives, and only consented fields; an unconsented field appears in no published byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_VERSION, createAgent, type Sample } from '@datagraph/agent';
import { type BleSampleEvent, BleSampleSource } from '@datagraph/agent/ble';
import { acmeBandSensor, builtinSensors } from '@datagraph/agent/sensors';
import {
  type Cadence,
  DeviceStatus,
  FIELD_NAMES,
  type FieldName,
  generateKeyPair,
  ManualClock,
  topics,
} from '@datagraph/protocol';
import { createPersonaSimulation } from '@datagraph/simulators';
import pino from 'pino';
import t from 'tap';
import { signPolicy } from '../helpers/policy.ts';
import { referenceAggregates } from '../helpers/reference.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const drain = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const consented: Partial<Record<FieldName, Cadence[]>> = {
  steps: ['hourly'],
  calories_burned: ['hourly'],
  heart_rate_avg: ['hourly'],
  heart_rate_min: ['hourly'],
  heart_rate_max: ['hourly'],
  active_minutes: ['hourly'],
  sleep_hours: ['daily'],
  resting_heart_rate: ['daily'],
  avg_heart_rate: ['daily'],
  steps_total: ['daily'],
  calories_burned_total: ['daily'],
  active_minutes_total: ['daily'],
  gender: ['profile'],
  // not consented: calories_consumed, spo2_avg, age_band
};

for (const persona of ['runner', 'night-shift']) {
  t.test(
    `${persona}: a day through real noble yields exactly the independent aggregates, consented fields only`,
    async (t) => {
      const clock = new ManualClock(Date.UTC(2026, 0, 5));
      const t0 = clock.now();
      const dir = mkdtempSync(join(tmpdir(), 'dg-e2e-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const device = generateKeyPair();
      const provider = generateKeyPair();
      const gw = await TestGateway.start(clock);
      t.teardown(() => gw.close());
      gw.register(device);
      await gw.publishPolicy(
        device.address,
        signPolicy(provider, { version: 1, fields: consented, issuedAt: t0 / 1000, expiresAt: null }),
      );

      const { world, noble } = createPersonaSimulation({ persona, seed: 5, clock });
      const ble = new BleSampleSource({
        sensors: [...builtinSensors, acmeBandSensor],
        clock,
        noble,
        timeoutMs: 10_000,
      });
      const delivered: BleSampleEvent[] = [];
      ble.on('sample', (e) => delivered.push(e));
      const agent = await createAgent({
        device,
        dataDir: dir,
        clock,
        logger: pino({ level: 'silent' }),
        provider: provider.address,
        broker: { url: gw.url, reconnectPeriodMs: 50 },
        sources: [ble],
      });
      t.teardown(() => agent.close());
      world.on('meal', (r) => agent.record(r.sample)); // meals come from a phone app through the SDK
      await waitFor(() => agent.policy !== undefined, 'the policy');
      const devices = 1 + world.profile.devices.length;
      await waitFor(
        () => ble.status().devices.filter((d) => d.state === 'streaming').length === devices,
        'devices streaming',
      );

      world.start();
      for (let m = 0; m < 1440; m++) {
        clock.advance(MIN);
        await drain(4);
      }
      world.stop();
      await clock.advanceAsync(5 * MIN, 30_000); // past the day's end plus the grace period
      await agent.closeDueWindows();
      await waitFor(() => agent.status().seq > 0 && agent.status().outbox.depth === 0, 'every update acked');

      // The independent computation: the persona's own record of what it measured (and the meals it logged), plus
      // the state the BLE layer reads from a device on each connection (counter value, battery, user data), which is
      // raw sample data too but not an event the persona logs.
      const truth = world.truth.filter((r) => r.onAir).map((r) => r.sample);
      const truthKeys = new Set(truth.map((s) => JSON.stringify(s)));
      const readsOnConnect = delivered.map((e) => e.sample).filter((s) => !truthKeys.has(JSON.stringify(s)));
      t.ok(
        readsOnConnect.every((s) => ['battery', 'age', 'gender', 'step_count'].includes(s.kind)),
        'the only extra samples are reads on connect',
      );
      const raw: Sample[] = [...truth, ...readsOnConnect].filter((s) => s.at < t0 + D);
      const expected = referenceAggregates(raw, t0 + D)
        .filter((w) => w.start < t0 + D)
        .map((w) => ({
          cadence: w.cadence,
          start: w.start / 1000,
          fields: Object.fromEntries(
            Object.entries(w.fields).filter(([f]) => consented[f as FieldName]?.includes(w.cadence)),
          ),
        }))
        .filter((w) => Object.keys(w.fields).length > 0);
      const got = [...gw.accepted.values()]
        .filter((u) => u.body.cadence !== 'profile' && u.body.window.start < (t0 + D) / 1000)
        .map((u) => ({ cadence: u.body.cadence, start: u.body.window.start, fields: u.body.fields }));
      const order = (a: { start: number; cadence: string }, b: { start: number; cadence: string }) =>
        a.start - b.start || a.cadence.localeCompare(b.cadence);
      t.equal(got.filter((w) => w.cadence === 'hourly').length, 24, '24 hourly updates');
      t.same(
        got.sort(order),
        expected.sort(order),
        'the updates are exactly the independent aggregates, consented fields only',
      );
      const profiles = [...gw.accepted.values()].filter((u) => u.body.cadence === 'profile');
      t.same(
        profiles.map((u) => u.body.fields),
        [{ gender: world.profile.gender }],
        'the profile: gender only (age band not consented)',
      );

      const bytes = Buffer.concat(
        gw.published.filter((p) => p.topic.startsWith('dg/v1/')).map((p) => p.payload),
      ).toString('utf8');
      for (const f of FIELD_NAMES)
        if (!consented[f]) t.notOk(bytes.includes(`"${f}"`), `${f} appears in no published byte`);
      const statuses = gw.allPublished.filter((p) => p.topic === topics.status(device.address));
      t.ok(statuses.length > 0 && statuses.every((p) => p.retain), 'the status is published retained');
      const online = DeviceStatus.parse(JSON.parse(statuses[0]?.payload.toString() ?? '{}'));
      t.equal(online.state, 'online');
      t.equal(online.agentVersion, AGENT_VERSION);
    },
  );
}

t.test(
  'runner: drops, adapter off/on and a slow band: every window once, none skipped, totals as on a quiet day',
  async (t) => {
    const run = async (faulty: boolean) => {
      const clock = new ManualClock(Date.UTC(2026, 0, 5));
      const t0 = clock.now();
      const dir = mkdtempSync(join(tmpdir(), 'dg-e2e-faults-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const device = generateKeyPair();
      const provider = generateKeyPair();
      const gw = await TestGateway.start(clock);
      t.teardown(() => gw.close());
      gw.register(device);
      await gw.publishPolicy(
        device.address,
        signPolicy(provider, { version: 1, fields: consented, issuedAt: t0 / 1000, expiresAt: null }),
      );
      const { world, noble, radio } = createPersonaSimulation({ persona: 'runner', seed: 5, clock });
      const ble = new BleSampleSource({
        sensors: [...builtinSensors, acmeBandSensor],
        clock,
        noble,
        timeoutMs: 10_000,
      });
      const agent = await createAgent({
        device,
        dataDir: dir,
        clock,
        logger: pino({ level: 'silent' }),
        provider: provider.address,
        broker: { url: gw.url, reconnectPeriodMs: 50 },
        sources: [ble],
      });
      t.teardown(() => agent.close());
      world.on('meal', (r) => agent.record(r.sample));
      await waitFor(() => agent.policy !== undefined, 'the policy');
      const devices = 1 + world.profile.devices.length;
      await waitFor(
        () => ble.status().devices.filter((d) => d.state === 'streaming').length === devices,
        'devices streaming',
      );
      world.start();
      const band = world.band.peripheral.id;
      for (let m = 0; m < 1440; m++) {
        if (faulty) {
          if (m === 120) radio.dropConnection(band);
          if (m === 400) radio.powerOff();
          if (m === 430) radio.powerOn();
          if (m === 600) radio.setFaults(band, { latencyMs: 4000 });
          if (m === 601) radio.dropConnection(band);
          if (m === 700) radio.faults(band).clear();
        }
        for (let s = 0; s < MIN; s += 5000) {
          clock.advance(5000);
          await drain(1);
        }
      }
      // let every device come back before the day ends (a stored reading waits for the reconnect)
      await waitFor(
        () => ble.status().devices.filter((d) => d.state === 'streaming').length === devices,
        'devices back',
      );
      world.stop();
      await clock.advanceAsync(5 * MIN, 30_000);
      await agent.closeDueWindows();
      await waitFor(() => agent.status().seq > 0 && agent.status().outbox.depth === 0, 'every update acked');
      return { updates: [...gw.accepted.values()], faults: ble.status().faults.map((f) => f.code as string) };
    };
    const quiet = (await run(false)).updates;
    const { updates: faulted, faults } = await run(true);
    t.ok(
      faults.includes('AG_BLE_DISCONNECTED') && faults.includes('AG_BLE_ADAPTER_OFF'),
      `faults happened: ${[...new Set(faults)].join(', ')}`,
    );
    const hours = faulted.filter((u) => u.body.cadence === 'hourly').map((u) => u.body.window.start);
    t.equal(hours.length, 24, '24 hourly updates');
    t.equal(new Set(hours).size, 24, 'each hour once');
    t.equal(faulted.filter((u) => u.body.cadence === 'daily').length, 1, 'one daily update');
    const daily = (us: typeof quiet) => us.find((u) => u.body.cadence === 'daily')?.body.fields;
    t.equal(daily(faulted)?.steps_total, daily(quiet)?.steps_total, 'steps taken during the outages are counted once');
    t.equal(daily(faulted)?.calories_burned_total, daily(quiet)?.calories_burned_total, 'energy too (a running total)');
    t.equal(daily(faulted)?.sleep_hours, daily(quiet)?.sleep_hours, 'sleep stages are stored records: none lost');
  },
);
