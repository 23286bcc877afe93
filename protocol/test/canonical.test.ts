import t from 'tap';
import { canonicalJson, hashCanonical } from '../src/index.ts';

t.test('RFC 8785 examples: key order by UTF-16 code units, number forms, escapes', async (t) => {
  // From RFC 8785 section 3.2.2 / appendix examples.
  t.equal(
    // biome-ignore lint/correctness/noPrecisionLoss: the RFC 8785 example is exactly this literal
    canonicalJson({ numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001] }),
    '{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}',
  );
  t.equal(
    canonicalJson({
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    }),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  t.equal(canonicalJson({ b: 1, a: { d: true, c: null } }), '{"a":{"c":null,"d":true},"b":1}');
  t.equal(canonicalJson(-0), '0');
});

t.test('values JSON cannot carry exactly are refused with a code', async (t) => {
  t.throws(() => canonicalJson({ x: Number.NaN }), { code: 'PR_NOT_CANONICAL' });
  t.throws(() => canonicalJson([Number.POSITIVE_INFINITY]), { code: 'PR_NOT_CANONICAL' });
  t.throws(() => canonicalJson({ x: 1n }), { code: 'PR_NOT_CANONICAL' });
});

t.test('hash is independent of key order', async (t) => {
  t.equal(hashCanonical({ a: 1, b: 2 }), hashCanonical({ b: 2, a: 1 }));
  t.not(hashCanonical({ a: 1, b: 2 }), hashCanonical({ a: 1, b: 3 }));
});
