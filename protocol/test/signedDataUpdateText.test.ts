import t from 'tap';
import { canonicalJson, generateKeyPair, signedDataUpdateText, signValue } from '../src/index.ts';

t.test('signedDataUpdateText is the canonical JSON of {value, proofs}', (t) => {
  const a = generateKeyPair();
  const b = generateKeyPair();
  const values: unknown[] = [
    { type: 'IngestBatch', v: 1, entries: [{ z: 1, a: 'é\u2028', n: 1e21 }], gateway: 'DAG0x' },
    { b: [3, 2, 1], a: { y: null, x: false } },
    [],
    'text',
  ];
  for (const value of values) {
    for (const proofs of [
      [],
      [signValue(a.privateKey, a.publicKey, value)],
      [signValue(b.privateKey, b.publicKey, value), signValue(a.privateKey, a.publicKey, value)],
    ]) {
      t.equal(signedDataUpdateText(canonicalJson(value), proofs), canonicalJson({ value, proofs }));
      t.equal(signedDataUpdateText(canonicalJson(value), proofs), canonicalJson({ proofs, value }));
    }
  }
  t.end();
});
