import { keyStore } from '@stardust-collective/dag4-keystore';
import secp256k1 from 'secp256k1';
import t from 'tap';
import {
  dataSignDag4,
  dataSignFast,
  dataSignMessage,
  generateKeyPair,
  isDagAddress,
  keyPairFromPrivateKey,
  signValue,
  verifyDataFast,
  verifyValueProof,
} from '../src/index.ts';

const dag4Verify = (pub: string, msg: string, sig: string): boolean =>
  keyStore.verifyData(`04${pub}`, dataSignMessage(msg), sig);

function randomMessage(i: number): string {
  const kinds = [
    () => 'ab'.repeat(32),
    () => `hello ${i}`,
    () => Buffer.from(JSON.stringify({ i, x: 'ünïcödé ✓' })).toString('base64'),
    () => '',
    () => 'x'.repeat(i * 7),
  ];
  return (kinds[i % kinds.length] as () => string)();
}

t.test('native verify agrees with dag4 verifyData on dag4 signatures, wrong keys and tampered messages', async (t) => {
  let checked = 0;
  for (let i = 0; i < 60; i++) {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const msg = randomMessage(i);
    const sig = await dataSignDag4(a.privateKey, msg);
    const cases: [string, string, string, boolean][] = [
      [a.publicKey, msg, sig, true],
      [b.publicKey, msg, sig, false],
      [a.publicKey, `${msg}!`, sig, false],
      [a.publicKey, msg, `${sig.slice(0, -2)}${sig.endsWith('00') ? '01' : '00'}`, false],
    ];
    for (const [pub, m, s, expected] of cases) {
      t.equal(dag4Verify(pub, m, s), expected, `dag4 verdict case ${i}`);
      t.equal(verifyDataFast(pub, m, s), expected, `native verdict case ${i}`);
      checked++;
    }
  }
  t.equal(checked, 240);
});

t.test('native signing produces exactly dag4 dataSign signatures (RFC 6979)', async (t) => {
  for (let i = 0; i < 30; i++) {
    const k = generateKeyPair();
    const msg = randomMessage(i);
    t.equal(dataSignFast(k.privateKey, msg), await dataSignDag4(k.privateKey, msg));
  }
});

t.test('high-S signatures are refused by both, as dag4 (noble strict mode) does', async (t) => {
  const k = generateKeyPair();
  const msg = 'high-s check';
  const der = Buffer.from(dataSignFast(k.privateKey, msg), 'hex');
  const compact = Buffer.from(secp256k1.signatureImport(der));
  // s' = n - s flips a low-S signature to its high-S twin, which is mathematically valid ECDSA.
  const n = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
  const s = BigInt(`0x${compact.subarray(32).toString('hex')}`);
  const highS = Buffer.concat([compact.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
  const highDer = Buffer.from(secp256k1.signatureExport(highS)).toString('hex');
  t.equal(dag4Verify(k.publicKey, msg, highDer), false);
  t.equal(verifyDataFast(k.publicKey, msg, highDer), false);
});

t.test('garbage signatures and keys are a false verdict, not a throw', async (t) => {
  const k = generateKeyPair();
  t.equal(verifyDataFast(k.publicKey, 'm', 'zz'), false);
  t.equal(verifyDataFast(k.publicKey, 'm', ''), false);
  t.equal(verifyDataFast('00'.repeat(64), 'm', dataSignFast(k.privateKey, 'm')), false);
});

t.test('value proofs cover the canonical form, not key order', async (t) => {
  const k = generateKeyPair();
  const proof = signValue(k.privateKey, k.publicKey, { b: 1, a: [1, 2] });
  t.ok(verifyValueProof({ a: [1, 2], b: 1 }, proof));
  t.notOk(verifyValueProof({ a: [2, 1], b: 1 }, proof));
  t.notOk(verifyValueProof({ a: [1, 2], b: 1 }, { ...proof, id: generateKeyPair().publicKey }));
});

t.test('key pairs match dag4 addresses and public keys', async (t) => {
  for (let i = 0; i < 10; i++) {
    const pk = keyStore.generatePrivateKey();
    const kp = keyPairFromPrivateKey(pk);
    t.equal(kp.address, keyStore.getDagAddressFromPrivateKey(pk));
    t.equal(`04${kp.publicKey}`, keyStore.getPublicKeyFromPrivate(pk));
  }
  t.throws(() => keyPairFromPrivateKey('00'.repeat(32)), { code: 'PR_BAD_KEY' });
  t.throws(() => keyPairFromPrivateKey('nothex'), { code: 'PR_BAD_KEY' });
});

t.test('address rules equal dag4-keystore (derivation over many keys, validation over near-misses)', async (t) => {
  for (let i = 0; i < 200; i++) {
    const pk = keyStore.generatePrivateKey();
    t.equal(keyPairFromPrivateKey(pk).address, keyStore.getDagAddressFromPrivateKey(pk));
  }
  const good = generateKeyPair().address;
  const candidates = [
    good,
    good.slice(0, 39),
    `${good}1`,
    `DAG${good.slice(3, 4)}${'O'.repeat(36)}`,
    `DAX${good.slice(3)}`,
    `DAGx${good.slice(4)}`,
    `${good.slice(0, 10)}l${good.slice(11)}`,
    '',
  ];
  for (const c of candidates) t.equal(isDagAddress(c), Boolean(keyStore.validateDagAddress(c)), JSON.stringify(c));
});
