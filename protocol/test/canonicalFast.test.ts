// canonicalJson's JSON.stringify path must write exactly what the reference (the canonicalize package with
// protocol's checks) writes, and refuse exactly what it refuses.
import fc from 'fast-check';
import t from 'tap';
import { canonicalJson, canonicalJsonReference } from '../src/canonical.ts';
import { makeSalt, signUpdate, toIngestEntry } from '../src/commitment.ts';
import { generateKeyPair } from '../src/keys.ts';

const outcome = (f: (v: unknown) => string, v: unknown): string => {
  try {
    return `text ${f(v)}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
};

t.test('canonicalJson writes what the reference writes, and refuses what it refuses', (t) => {
  const hidden = { a: 1 };
  Object.defineProperty(hidden, 'b', { value: 2, enumerable: false });
  const values: unknown[] = [
    null,
    0,
    -0,
    1.5,
    1e21,
    5e-324,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'é\u2028"\\\n\u0001',
    '\ud800',
    true,
    undefined,
    [],
    [1, undefined],
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    [1, , 2],
    { b: 2, a: 1, c: undefined },
    { 10: 'ten', 9: 'nine', a: { z: 1, y: [{ x: null }] } },
    { '\ud800': 1 },
    { a: Number.NaN },
    { a: () => 1 },
    { a: Symbol('s') },
    { toJSON: () => 1 },
    new Date(0),
    new Map(),
    JSON.parse('{"__proto__":{"a":1},"b":{"c":1}}'),
    { x: { constructor: 1 }, y: {} },
    Object.assign(Object.create(null), { b: 1, a: 2 }),
    hidden,
    { a: hidden, b: 1 },
    10n,
    { a: 10n },
  ];
  for (const [i, v] of values.entries())
    t.equal(outcome(canonicalJson, v), outcome(canonicalJsonReference, v), `value ${i}`);
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 200; i++) {
    at.x = { y: i };
    at = at.x as Record<string, unknown>;
  }
  t.equal(canonicalJson(deep), canonicalJsonReference(deep), 'deep nesting falls back to canonicalJson');
  t.end();
});

t.test('canonicalJson agrees with the reference on any JSON value', (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => outcome(canonicalJson, v) === outcome(canonicalJsonReference, v)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (v) => {
      return outcome(canonicalJson, v) === outcome(canonicalJsonReference, v);
    }),
    { numRuns: 1000 },
  );
  t.end();
});

t.test('signed updates and batch entries as the gateway and the node write them', (t) => {
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const update = signUpdate(
    {
      v: 1,
      id: '0b9f8c1e-7d3a-4e5b-9c2d-1a2b3c4d5e6f',
      provider: provider.address,
      device: device.address,
      seq: 1,
      cadence: 'hourly',
      window: { start: 3600, end: 7200 },
      policyVersion: 1,
      fields: { steps: 1200, heart_rate_avg: 61.5 },
      salt: makeSalt(),
    },
    device,
  );
  const entry = toIngestEntry(update);
  const batch = { batch: 'b', entries: [entry, entry], gateway: 'g', type: 'IngestBatch', v: 1 };
  for (const v of [update, update.body, entry, batch]) t.equal(canonicalJson(v), canonicalJsonReference(v));
  t.equal(JSON.stringify(entry), canonicalJsonReference(entry), 'an entry comes with its members in canonical order');
  t.end();
});

t.test('canonicalJson of members in canonical order already, and of arrays with a toJSON', (t) => {
  const arrayWithToJson = Object.assign([1, 2], { toJSON: () => 'x' });
  const values: unknown[] = [
    { a: 1, b: { c: [1, { d: 2, e: 3 }] } },
    { a: 1, b: { e: [1, { d: 2, c: 3 }] } },
    { '': 1, a: 2 },
    { a: 2, '': 1 },
    { 1: 'a', 2: 'b' },
    { 2: 'b', 10: 'a' },
    { a: 1, b: undefined, c: 2 },
    arrayWithToJson,
    { a: arrayWithToJson },
  ];
  for (const [i, v] of values.entries())
    t.equal(outcome(canonicalJson, v), outcome(canonicalJsonReference, v), `value ${i}`);
  t.end();
});
