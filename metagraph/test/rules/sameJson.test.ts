import { canonicalJson } from '@datagraph/protocol';
import t from 'tap';
import { sameCanonicalJson } from '../../src/rules/sameJson.ts';

const canonicalSame = (a: unknown, b: unknown): boolean => {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
};

t.test('sameCanonicalJson agrees with comparing canonical JSON text', (t) => {
  const values: unknown[] = [
    null,
    0,
    -0,
    1,
    1.5,
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'a',
    '\ud800',
    'é\u2028',
    true,
    false,
    undefined,
    [],
    [1, 2],
    [2, 1],
    [1, undefined],
    [null],
    {},
    { a: 1 },
    { a: 1, b: undefined },
    { b: 2, a: 1 },
    { a: 1, b: 2 },
    { a: '\ud800' },
    { a: [1, { b: null }] },
    { a: [1, { b: false }] },
    { a: Number.NaN },
    { toJSON: () => 1 },
    new Date(0),
    JSON.parse('{"__proto__":1}'),
    Object.assign(Object.create(null), { a: 1 }),
    10n,
  ];
  let n = 0;
  for (const a of values) {
    for (const b of values) {
      t.equal(sameCanonicalJson(a, b), canonicalSame(a, b), `${String(n)}`);
      n++;
    }
  }
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 200; i++) {
    at.x = {};
    at = at.x as Record<string, unknown>;
  }
  t.equal(sameCanonicalJson(deep, structuredClone(deep)), true, 'deep nesting falls back to canonical JSON');
  t.end();
});
