// The simulators' encoders (written from the spec) against the agent's decoders (written from the spec by
// another hand): random measurements must survive encode -> decode with the documented unit conversions.
import {
  decodeAcmeSleep,
  decodeAcmeSteps,
  decodeBloodPressureMeasurement,
  decodeCurrentTime,
  decodeFloat,
  decodeHeartRate,
  decodePlxContinuous,
  decodePlxSpotCheck,
  decodeRscMeasurement,
  decodeSfloat,
  decodeTemperatureMeasurement,
  decodeWeightMeasurement,
} from '@datagraph/agent/sensors';
import fc from 'fast-check';
import t from 'tap';
import {
  encodeAcmeSleep,
  encodeAcmeSteps,
  encodeBloodPressure,
  encodeHeartRateMeasurement,
  encodePlxContinuous,
  encodePlxSpotCheck,
  encodeRscMeasurement,
  encodeTemperatureMeasurement,
  encodeWeightMeasurement,
  FLOAT,
  float,
  SFLOAT,
  sfloat,
} from '../src/index.ts';

const ctx = { at: Date.UTC(2026, 0, 5) };
const stamp = fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }).map((s) => s * 1000);
const values = (out: Array<{ hasValue: boolean }>) => out.map((s) => ('value' in s ? s.value : null));

t.test('SFLOAT and FLOAT encoders agree with the decoders, specials included', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: -8, max: 7 }), (m, e) => {
      const d = decodeSfloat(sfloat(m * 10 ** e, e));
      return d.ok && d.mantissa === m && d.exponent === e;
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: -8388605, max: 8388605 }), fc.integer({ min: -20, max: 20 }), (m, e) => {
      const d = decodeFloat(float(m * 10 ** e, e));
      return d.ok && d.mantissa === m && d.exponent === e;
    }),
  );
  for (const raw of Object.values(SFLOAT)) t.equal(decodeSfloat(raw).ok, false);
  for (const raw of Object.values(FLOAT)) t.equal(decodeFloat(raw).ok, false);
});

t.test('heart rate', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 400 }),
      fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 7 }),
      fc.boolean(),
      (bpm, energyKj, rr1024, uint16) => {
        const out = decodeHeartRate(encodeHeartRateMeasurement({ bpm, energyKj, rr1024, uint16, contact: true }), ctx);
        const want = [bpm, ...(energyKj === undefined ? [] : [energyKj]), ...rr1024.map((v) => (v * 1000) / 1024)];
        return JSON.stringify(values(out)) === JSON.stringify(want);
      },
    ),
  );
  t.pass();
});

t.test('RSC', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      (s, c, stride, dist) => {
        const out = decodeRscMeasurement(
          encodeRscMeasurement({ speed256: s, cadence: c, strideCm: stride, distanceDm: dist, running: true }),
          ctx,
        );
        return JSON.stringify(values(out)) === JSON.stringify([s / 256, c, stride / 100, dist / 10]);
      },
    ),
  );
  t.pass();
});

t.test('weight, SI and imperial, with device time', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xfffe }), fc.boolean(), stamp, (raw, imperial, ts) => {
      const [w] = decodeWeightMeasurement(encodeWeightMeasurement({ weightRaw: raw, imperial, timestamp: ts }), ctx);
      const kg = imperial ? raw * 0.01 * 0.45359237 : raw * 0.005;
      return w?.hasValue === true && Math.abs((w.value as number) - kg) < 0.0006 && w.at === ts;
    }),
  );
  t.pass();
});

t.test('temperature, Celsius and Fahrenheit', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 300, max: 1100 }), fc.boolean(), (tenths, f) => {
      const [s] = decodeTemperatureMeasurement(
        encodeTemperatureMeasurement({ floatRaw: float(tenths / 10, -1), fahrenheit: f, type: 2 }),
        ctx,
      );
      const c = f ? ((tenths / 10 - 32) * 5) / 9 : tenths / 10;
      return s?.hasValue === true && Math.abs((s.value as number) - c) < 0.001;
    }),
  );
  t.pass();
});

t.test('blood pressure, mmHg and kPa', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 60, max: 250 }),
      fc.integer({ min: 30, max: 150 }),
      fc.boolean(),
      stamp,
      (sys, dia, kpa, ts) => {
        const enc = (mmHg: number) => (kpa ? sfloat(Math.round(mmHg / 0.750062) / 10, -1) : sfloat(mmHg));
        const map = Math.round(dia + (sys - dia) / 3);
        const out = decodeBloodPressureMeasurement(
          encodeBloodPressure({
            systolic: enc(sys),
            diastolic: enc(dia),
            map: enc(map),
            kpa,
            pulse: sfloat(70),
            timestamp: ts,
          }),
          ctx,
        );
        const v = values(out) as number[];
        return (
          out.length === 4 &&
          out.every((s) => s.at === ts) &&
          Math.abs((v[0] ?? 0) - sys) < 0.6 &&
          Math.abs((v[1] ?? 0) - dia) < 0.6 &&
          v[3] === 70
        );
      },
    ),
  );
  t.pass();
});

t.test('pulse oximeter, spot-check and continuous', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 70, max: 100 }), fc.integer({ min: 30, max: 200 }), stamp, (spo2, pr, ts) => {
      const a = decodePlxSpotCheck(
        encodePlxSpotCheck({
          spo2: sfloat(spo2),
          pulse: sfloat(pr),
          timestamp: ts,
          status: 0x0080,
          deviceStatus: 0,
          pai: sfloat(3.2, -1),
        }),
        ctx,
      );
      const b = decodePlxContinuous(
        encodePlxContinuous({
          spo2: sfloat(spo2),
          pulse: sfloat(pr),
          fast: { spo2: sfloat(spo2), pulse: sfloat(pr) },
          slow: { spo2: sfloat(spo2), pulse: sfloat(pr) },
          status: 0,
          deviceStatus: 0,
          pai: sfloat(1),
        }),
        ctx,
      );
      return (
        JSON.stringify(values(a)) === JSON.stringify([spo2, pr]) &&
        a[0]?.at === ts &&
        JSON.stringify(values(b)) === JSON.stringify([spo2, pr])
      );
    }),
  );
  t.pass();
});

t.test('Acme Band vendor records', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      stamp,
      fc.constantFrom('awake', 'light', 'deep', 'rem' as const),
      (steps, ts, stage) => {
        const [a] = decodeAcmeSteps(encodeAcmeSteps(steps), ctx);
        const [b] = decodeAcmeSleep(encodeAcmeSleep(stage, ts), ctx);
        return a?.hasValue === true && a.value === steps && b?.hasValue === true && b.value === stage && b.at === ts;
      },
    ),
  );
  t.pass();
});

t.test('Current Time written by the agent is what the simulated device reads back', async (t) => {
  const { encodeCurrentTime } = await import('@datagraph/agent/sensors');
  const { parseCurrentTime } = await import('../src/index.ts');
  fc.assert(
    fc.property(stamp, fc.integer({ min: 0, max: 999 }), (s, ms) => {
      const at = s + ms;
      const bytes = encodeCurrentTime(at);
      // 1/256 s fractions: encoding floors (< 3.91 ms) and decoding floors (< 1 ms)
      return Math.abs(parseCurrentTime(bytes) - at) < 5 && Math.abs(decodeCurrentTime(bytes).at - at) < 5;
    }),
  );
  t.pass();
});
