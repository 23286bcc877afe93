import t from 'tap';
import {
  ageBand,
  catalogue,
  checkFieldValue,
  coarsen,
  FIELD_NAMES,
  fieldsForCadence,
  roundToCatalogue,
} from '../src/index.ts';

t.test('the catalogue has every field the issue asks for, at the right cadence', async (t) => {
  const expected = {
    profile: ['age_band', 'gender'],
    daily: [
      'active_minutes_total',
      'avg_heart_rate',
      'calories_burned_total',
      'resting_heart_rate',
      'sleep_hours',
      'spo2_avg',
      'steps_total',
    ],
    hourly: [
      'active_minutes',
      'calories_burned',
      'calories_consumed',
      'heart_rate_avg',
      'heart_rate_max',
      'heart_rate_min',
      'steps',
    ],
  } as const;
  for (const [cadence, names] of Object.entries(expected)) t.same(fieldsForCadence(cadence as never), names, cadence);
  t.equal(FIELD_NAMES.length, 16);
});

t.test('every entry is well formed', async (t) => {
  for (const name of FIELD_NAMES) {
    const spec = catalogue[name] as (typeof catalogue)[typeof name];
    t.ok(spec.label.length > 0, `${name} label`);
    if (spec.kind === 'numeric') {
      t.ok(spec.min < spec.max, `${name} range`);
      t.ok(spec.coarseStep > 0, `${name} coarse step`);
      t.equal(checkFieldValue(name, spec.min), null);
      t.equal(checkFieldValue(name, spec.max), null);
      t.not(checkFieldValue(name, spec.max + 1), null);
      t.not(checkFieldValue(name, spec.min - 1), null);
      t.not(checkFieldValue(name, 'x'), null);
    } else {
      for (const v of spec.values) t.equal(checkFieldValue(name, v), null);
      t.not(checkFieldValue(name, 'other'), null);
      t.not(checkFieldValue(name, 1), null);
    }
  }
});

t.test('precision, rounding and coarsening', async (t) => {
  t.equal(checkFieldValue('steps', 10.5), 'steps has more than 0 decimal places');
  t.equal(checkFieldValue('sleep_hours', 7.25), null);
  t.not(checkFieldValue('sleep_hours', 7.255), null);
  t.equal(roundToCatalogue('sleep_hours', 7.256), 7.26);
  t.equal(roundToCatalogue('steps', 40000), 30000, 'clamped to range');
  t.equal(coarsen('steps', 1234), 1200);
  t.equal(coarsen('sleep_hours', 7.3), 7.5);
  t.equal(coarsen('heart_rate_avg', 72), 70);
});

t.test('age bands', async (t) => {
  t.equal(ageBand(17), null);
  t.equal(ageBand(18), '18-24');
  t.equal(ageBand(24.9), '18-24');
  t.equal(ageBand(25), '25-34');
  t.equal(ageBand(64), '55-64');
  t.equal(ageBand(74), '65-74');
  t.equal(ageBand(75), '75+');
  t.equal(ageBand(Number.NaN), null);
});
