// IEEE-11073 SFLOAT/FLOAT against the HL7 PHD IG vectors (FLOATS.md), every special value, and a property:
// decoding any non-special raw value gives mantissa x 10^exponent with the spec's signed field widths.
import fc from 'fast-check';
import t from 'tap';
import { decodeFloat, decodeSfloat } from '../../src/sensors/index.ts';

t.test('HL7 SFLOAT examples', async (t) => {
  const cases: Array<[number, number, number]> = [
    [0x0002, 2, 0],
    [0xf014, 2, -1], // 2.0
    [0xe0c8, 2, -2], // 2.00
    [0x1002, 20, 1],
    [0x0b2e, -1234, 0],
    [0x0fff, -1, 0], // not NaN
    [0x8000, 0, -8],
    [0x0078, 120, 0], // a 'bias of 8' decoder would say 120e-8
  ];
  for (const [raw, value, exponent] of cases) {
    t.match(decodeSfloat(raw), { ok: true, value, exponent }, `0x${raw.toString(16)} = ${value}`);
  }
});

t.test('HL7 FLOAT examples', async (t) => {
  t.match(decodeFloat(0xff000014), { ok: true, value: 2, exponent: -1 });
  t.match(decodeFloat(0x00fffb2e), { ok: true, value: -1234, exponent: 0 });
  t.match(decodeFloat(0xff00016e), { ok: true, value: 36.6 });
});

t.test('every special value maps to a reason, never a number', async (t) => {
  const sfloat: Array<[number, string]> = [
    [0x07ff, 'not-a-number'],
    [0x0800, 'error'],
    [0x07fe, 'positive-infinity'],
    [0x0802, 'negative-infinity'],
    [0x0801, 'error'],
  ];
  for (const [raw, reason] of sfloat) t.same(decodeSfloat(raw), { ok: false, reason }, `SFLOAT 0x${raw.toString(16)}`);
  const float: Array<[number, string]> = [
    [0x007fffff, 'not-a-number'],
    [0x00800000, 'error'],
    [0x007ffffe, 'positive-infinity'],
    [0x00800002, 'negative-infinity'],
    [0x00800001, 'error'],
  ];
  for (const [raw, reason] of float) t.same(decodeFloat(raw), { ok: false, reason }, `FLOAT 0x${raw.toString(16)}`);
});

t.test('property: SFLOAT fields are signed 4-bit exponent and 12-bit mantissa', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -8, max: 7 }), fc.integer({ min: -2048, max: 2047 }), (e, m) => {
      const raw = ((e & 0xf) << 12) | (m & 0xfff);
      const d = decodeSfloat(raw);
      if (!d.ok) return [0x07ff, 0x0800, 0x07fe, 0x0802, 0x0801].includes(raw);
      return (
        d.exponent === e &&
        d.mantissa === m &&
        Number.isFinite(d.value) &&
        Math.abs(d.value - m * 10 ** e) <= Math.abs(m * 10 ** e) * 1e-12
      );
    }),
    { numRuns: 5000 },
  );
  t.pass('5000 SFLOATs');
});

t.test('property: FLOAT fields are signed 8-bit exponent and 24-bit mantissa', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -(2 ** 23), max: 2 ** 23 - 1 }), (e, m) => {
      const raw = (((e & 0xff) << 24) | (m & 0xffffff)) >>> 0;
      const d = decodeFloat(raw);
      if (!d.ok) return [0x007fffff, 0x00800000, 0x007ffffe, 0x00800002, 0x00800001].includes(raw);
      return d.exponent === e && d.mantissa === m && Number.isFinite(d.value);
    }),
    { numRuns: 5000 },
  );
  t.pass('5000 FLOATs');
});
