import { canonicalJson, SignedDataUpdate } from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import { canonicalText } from '../../src/rules/canonicalText.ts';
import { aliceRegistration, gateway, ingestBatch, sleep, steps } from './world.ts';

// canonicalText must be canonicalJson: the same text, or the same refusal.
const outcome = (f: (v: unknown) => string, v: unknown): string => {
  try {
    return `text ${f(v)}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
};

t.test('canonicalText writes what canonicalJson writes, and refuses what it refuses', (t) => {
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
  for (const [i, v] of values.entries()) t.equal(outcome(canonicalText, v), outcome(canonicalJson, v), `value ${i}`);
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 200; i++) {
    at.x = { y: i };
    at = at.x as Record<string, unknown>;
  }
  t.equal(canonicalText(deep), canonicalJson(deep), 'deep nesting falls back to canonicalJson');
  t.end();
});

t.test('canonicalText agrees with canonicalJson on any JSON value', (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => outcome(canonicalText, v) === outcome(canonicalJson, v)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (v) => {
      return outcome(canonicalText, v) === outcome(canonicalJson, v);
    }),
    { numRuns: 1000 },
  );
  t.end();
});

t.test('canonicalText of signed updates as the node checks them', (t) => {
  for (const u of [aliceRegistration(), ingestBatch(gateway, 'b', [steps(1), steps(2), sleep(3, 1)])]) {
    t.equal(canonicalText(u), canonicalJson(u));
    t.equal(canonicalText(SignedDataUpdate.parse(u).value), canonicalJson(u.value));
  }
  t.end();
});

t.test('canonicalText of members in canonical order already, and of arrays with a toJSON', (t) => {
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
  for (const [i, v] of values.entries()) t.equal(outcome(canonicalText, v), outcome(canonicalJson, v), `value ${i}`);
  t.end();
});
