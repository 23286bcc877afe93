// The streaming Aggregator against an independent batch computation of the same documented rules.
import { Aggregator, type Draft, emptyAggregatorState } from '@datagraph/agent';
import t from 'tap';
import { referenceAggregates } from '../helpers/reference.ts';
import { syntheticSamples } from '../helpers/syntheticDay.ts';

const START = Date.UTC(2026, 0, 5);
const H = 3_600_000;
const GRACE = 120_000;

/** Feed samples in time order, closing due windows every 30 s of sample time, as the agent's tick does. */
function stream(agg: Aggregator, samples: ReturnType<typeof syntheticSamples>, endMs: number): Draft[] {
  const out: Draft[] = [];
  let nextTick = START;
  for (const s of samples) {
    while (s.at >= nextTick) {
      out.push(...agg.closeDue(nextTick, GRACE));
      nextTick += 30_000;
    }
    agg.add(s);
  }
  out.push(...agg.closeDue(endMs, GRACE));
  return out;
}

t.test('hourly and daily windows equal the independent computation, exactly', async (t) => {
  const samples = syntheticSamples(START, 26, 7);
  const drafts = stream(new Aggregator(), samples, START + 50 * H);
  const ref = referenceAggregates(samples);
  const got = drafts
    .filter((d) => d.cadence !== 'profile')
    .map((d) => ({ cadence: d.cadence, start: d.window.startMs, fields: d.fields }));
  t.equal(got.filter((w) => w.cadence === 'hourly').length, 26, 'one hourly window per hour with data');
  t.equal(got.filter((w) => w.cadence === 'daily').length, 2);
  t.same(
    [...got].sort((a, b) => a.start - b.start || a.cadence.localeCompare(b.cadence)),
    [...ref].sort((a, b) => a.start - b.start || a.cadence.localeCompare(b.cadence)),
  );
  const day1 = got.find((w) => w.cadence === 'daily' && w.start === START);
  t.ok(
    day1 && typeof day1.fields.sleep_hours === 'number' && day1.fields.sleep_hours > 6,
    'sleep before 06:30 plus 23:00-24:00 counts',
  );
  t.ok(day1?.fields.resting_heart_rate !== undefined && (day1.fields.resting_heart_rate as number) < 60);
  const workout = got.find((w) => w.cadence === 'hourly' && w.start === START + 9 * H);
  t.equal(workout?.fields.active_minutes, 60, 'a workout hour is all active minutes');
});

t.test('windows close only a grace period after their end, aligned to UTC hours and days', async (t) => {
  const agg = new Aggregator();
  agg.add({ hasValue: true, kind: 'heart_rate', value: 70, unit: 'bpm', at: START + 10 * H + 5 });
  t.same(agg.closeDue(START + 11 * H + GRACE - 1, GRACE), [], 'not before end + grace');
  const closed = agg.closeDue(START + 11 * H + GRACE, GRACE);
  t.same(
    closed.map((d) => [d.cadence, d.window]),
    [['hourly', { startMs: START + 10 * H, endMs: START + 11 * H }]],
  );
  agg.add({ hasValue: true, kind: 'heart_rate', value: 200, unit: 'bpm', at: START + 10 * H + 50 * 60_000 });
  t.equal(agg.state.counts.late, 1, 'a sample for a closed hour is dropped and counted');
  const day = agg.closeDue(START + 24 * H + GRACE, GRACE);
  t.same(
    day.map((d) => d.cadence),
    ['daily'],
  );
  t.same(
    day[0]?.fields,
    { avg_heart_rate: 70, active_minutes_total: 0 },
    'the late sample counted in neither window, so daily and hourly agree',
  );
});

t.test('the profile: age becomes a band, it comes with each closed day, and minors get no band', async (t) => {
  const agg = new Aggregator();
  agg.add({ hasValue: true, kind: 'age', value: 44.9, unit: 'years', at: START });
  agg.add({ hasValue: true, kind: 'gender', value: 'male', unit: '', at: START });
  agg.add({ hasValue: true, kind: 'gender', value: 'robot', unit: '', at: START });
  agg.add({ hasValue: true, kind: 'heart_rate', value: 60, unit: 'bpm', at: START });
  const out = agg.closeDue(START + 25 * H, GRACE);
  t.same(out.find((d) => d.cadence === 'profile')?.fields, { age_band: '35-44', gender: 'male' });
  t.notOk(JSON.stringify(out).includes('44.9'), 'the exact age is not in any draft');
  const young = new Aggregator();
  young.add({ hasValue: true, kind: 'age', value: 16, unit: 'years', at: START });
  young.add({ hasValue: true, kind: 'heart_rate', value: 60, unit: 'bpm', at: START });
  t.notOk(young.closeDue(START + 25 * H, GRACE).some((d) => d.cadence === 'profile'));
});

t.test('counters: first reading is a baseline, a drop is a reset, out-of-order readings are ignored', async (t) => {
  const agg = new Aggregator(emptyAggregatorState());
  const sc = (value: number, min: number) =>
    agg.add({ hasValue: true, kind: 'step_count', value, unit: 'steps', at: START + min * 60_000 });
  sc(5000, 0);
  sc(5100, 1);
  sc(40, 2); // reset: 40 steps since
  sc(30, 1); // older than the last reading
  sc(100, 3);
  const [hour] = agg.closeDue(START + 2 * H, GRACE);
  t.equal(hour?.fields.steps, 100 + 40 + 60);
  t.equal(hour?.fields.active_minutes, 2, 'minutes with >= 60 steps are active');
  t.equal(agg.state.counts.outOfOrder, 1);
});

t.test('state survives a JSON round trip mid-stream (what the agent persists) with the same result', async (t) => {
  const samples = syntheticSamples(START, 26, 3);
  const whole = stream(new Aggregator(), samples, START + 50 * H);
  const a = new Aggregator();
  const half = samples.filter((s) => s.at < START + 13.5 * H);
  const first = stream(a, half, START + 13.5 * H);
  const b = new Aggregator(JSON.parse(JSON.stringify(a.state)));
  const rest: Draft[] = [];
  let nextTick = START + 13.5 * H;
  for (const s of samples.filter((s) => s.at >= START + 13.5 * H)) {
    while (s.at >= nextTick) {
      rest.push(...b.closeDue(nextTick, GRACE));
      nextTick += 30_000;
    }
    b.add(s);
  }
  rest.push(...b.closeDue(START + 50 * H, GRACE));
  t.same([...first, ...rest], whole);
});

t.test('an hour opened before its first heart rate, saved and restored, still reports the right minimum', async (t) => {
  const a = new Aggregator();
  a.add({ hasValue: true, kind: 'calories_consumed', value: 300, unit: 'kcal', at: START + 60_000 });
  const b = new Aggregator(JSON.parse(JSON.stringify(a.state)));
  b.add({ hasValue: true, kind: 'heart_rate', value: 64, unit: 'bpm', at: START + 120_000 });
  b.add({ hasValue: true, kind: 'heart_rate', value: 90, unit: 'bpm', at: START + 180_000 });
  const [hour] = b.closeDue(START + H + GRACE, GRACE);
  t.equal(hour?.fields.heart_rate_min, 64);
  t.equal(hour?.fields.heart_rate_max, 90);
});
