// Personas: named, deterministic from a seed, independent of tick size, and plausible over a day.
import { ManualClock } from '@datagraph/protocol';
import t from 'tap';
import { getPersona, listPersonas, PersonaModel, PersonaWorld, SimulatedRadio } from '../src/index.ts';

const DAY0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

function liveDay(persona: string, tickMs: number, seed = 11) {
  const clock = new ManualClock(DAY0);
  const world = new PersonaWorld({ persona, seed, clock, radio: new SimulatedRadio({ clock }), tickMs });
  world.start();
  clock.advance(24 * 60 * MIN);
  world.stop();
  return world;
}

t.test('at least three named personas', async (t) => {
  const names = listPersonas().map((p) => p.name);
  t.ok(names.length >= 3);
  for (const n of ['runner', 'office-worker', 'night-shift']) t.ok(names.includes(n), n);
  t.throws(() => getPersona('nobody'), /unknown persona/);
});

t.test('deterministic from the seed', async (t) => {
  const p = getPersona('runner');
  const a = new PersonaModel(p, 42);
  const b = new PersonaModel(p, 42);
  const c = new PersonaModel(p, 43);
  const m0 = DAY0 / MIN;
  const day = (m: PersonaModel) => Array.from({ length: 1440 }, (_, i) => m.minute(m0 + i));
  t.equal(JSON.stringify(day(a)), JSON.stringify(day(b)));
  t.not(JSON.stringify(day(a)), JSON.stringify(day(c)));
  t.equal(
    JSON.stringify(liveDay('runner', MIN).truth),
    JSON.stringify(liveDay('runner', MIN).truth),
    'same truth on a second run',
  );
});

t.test('tick size does not change what happened', async (t) => {
  const coarse = liveDay('office-worker', MIN);
  const fine = liveDay('office-worker', 10_000);
  t.equal(fine.band.acme.steps, coarse.band.acme.steps, 'same step total at 10 s and 60 s ticks');
  t.same(
    fine.samplesOf('sleep_stage').map((r) => r.sample),
    coarse.samplesOf('sleep_stage').map((r) => r.sample),
  );
  t.ok(fine.samplesOf('heart_rate').length > 5 * coarse.samplesOf('heart_rate').length);
});

t.test('plausible daily rhythms', async (t) => {
  for (const name of ['runner', 'office-worker', 'night-shift']) {
    const world = liveDay(name, MIN);
    const m = world.model;
    const d0 = DAY0 / MIN;
    const steps = world.band.acme.steps;
    t.ok(steps > 2000 && steps < 30000, `${name}: ${steps} steps`);
    let slept = 0;
    for (let i = 0; i < 1440; i++) if (m.activityAt(d0 + i) === 'sleep') slept++;
    t.ok(slept > 5 * 60 && slept < 10 * 60, `${name}: ${slept} minutes asleep in the UTC day`);
    const hr = (activity: string) => {
      const v = Array.from({ length: 1440 }, (_, i) => m.minute(d0 + i)).filter((s) => s.activity === activity);
      return v.reduce((a, s) => a + s.heartRate, 0) / Math.max(1, v.length);
    };
    t.ok(hr('sleep') < hr('rest'), `${name}: heart rate lower asleep`);
    const meals = world.samplesOf('calories_consumed');
    t.ok(meals.length >= 3 && meals.length <= 4, `${name}: ${meals.length} meals`);
    for (const s of world.samplesOf('spo2')) t.ok(Number(s.sample.hasValue && s.sample.value) >= 90);
    const stages = new Set(world.samplesOf('sleep_stage').map((r) => r.sample.hasValue && r.sample.value));
    for (const st of ['light', 'deep', 'rem', 'awake']) t.ok(stages.has(st), `${name}: ${st} sleep stage`);
  }
  const runner = new PersonaModel(getPersona('runner'), 11);
  const night = new PersonaModel(getPersona('night-shift'), 11);
  const at = (h: number) => DAY0 / MIN + h * 60;
  t.equal(runner.activityAt(at(2)), 'sleep', 'runner asleep at 02:00');
  t.not(runner.activityAt(at(12)), 'sleep', 'runner awake at noon');
  t.equal(night.activityAt(at(11)), 'sleep', 'night shift asleep at 11:00');
  t.equal(night.activityAt(at(2)), 'active-work', 'night shift at work at 02:00');
});

t.test('morning measurements are stored on the devices with their own time', async (t) => {
  const world = liveDay('office-worker', MIN);
  const weights = world.samplesOf('weight');
  t.equal(weights.length, 1, 'one weigh-in');
  t.equal(weights[0]?.via, 'stored');
  t.equal(world.scale?.peripheral.pending('181d', '2a9d'), 1, 'held by the scale until a central subscribes');
  t.equal(world.samplesOf('bp_systolic').length, 1);
  // nobody has set the scale's clock: it stamps with its own idea of time (2000-01-01 based)
  t.ok((weights[0]?.sample.at ?? 0) < Date.UTC(2001, 0, 1), 'unset device clock shows in the stamp');
});

t.test('keepLogs: false keeps nothing for long runs but still emits', async (t) => {
  const clock = new ManualClock(DAY0);
  const world = new PersonaWorld({
    persona: 'runner',
    seed: 1,
    clock,
    radio: new SimulatedRadio({ clock }),
    keepLogs: false,
  });
  let events = 0;
  world.on('truth', () => events++);
  world.start();
  clock.advance(3 * 60 * MIN);
  world.stop();
  t.equal(world.truth.length, 0);
  t.ok(events > 100);
  t.ok(world.devices().every((p) => p.delivered.length === 0 && !p.logDeliveries));
});
