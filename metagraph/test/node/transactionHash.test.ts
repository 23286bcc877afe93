// Our kryo encoder and hash equal dag4-keystore 2.8.1's prepareTx v2 exactly, and our native signature check
// agrees with dag4's verify, over random keys, amounts, fees, parents and salts.
import { keyStore, txEncode } from '@stardust-collective/dag4-keystore';
import fc from 'fast-check';
import t from 'tap';
import { encodeTransaction, kryoSerialize, transactionHash, verifyHashSignature } from '../../src/index.ts';

const keys = Array.from({ length: 6 }, () => {
  const privateKey = keyStore.generatePrivateKey();
  const publicKey = keyStore.getPublicKeyFromPrivate(privateKey);
  return { privateKey, publicKey, address: keyStore.getDagAddressFromPublicKey(publicKey) };
});
const key = (i: number) => keys[i % keys.length] as (typeof keys)[number];

t.test('transactionHash equals dag4 prepareTx v2 for random transactions', async (t) => {
  let n = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 1, max: 2 ** 40 }),
      fc.integer({ min: 0, max: 2 ** 30 }),
      fc.integer({ min: 0, max: 10 ** 9 }),
      fc.boolean(),
      (a, b, amountUnits, feeUnits, ordinal, firstParent) => {
        fc.pre(a !== b);
        const from = key(a);
        const to = key(b);
        const parent = firstParent
          ? { hash: '0'.repeat(64), ordinal: 0 }
          : { hash: keyStore.sha256(String(ordinal)), ordinal };
        const { tx, hash, rle } = keyStore.prepareTx(
          amountUnits / 1e8,
          to.address,
          from.address,
          parent,
          feeUnits / 1e8,
          '2.0',
        );
        const value = (tx as { value: never }).value;
        t.equal(encodeTransaction(value), rle, 'same encoding');
        t.equal(
          kryoSerialize(rle).toString('hex').toUpperCase(),
          txEncode.kryoSerialize(rle, false).toUpperCase(),
          'same kryo bytes',
        );
        t.equal(transactionHash(value), hash, 'same hash');
        n++;
      },
    ),
    { numRuns: 150 },
  );
  t.ok(n > 100, `compared ${n} transactions`);
});

t.test('kryo length prefix for long messages (2- and 3-byte varints) matches dag4', async (t) => {
  for (const len of [62, 63, 64, 100, 8190, 8191, 8192, 20000]) {
    const msg = 'x'.repeat(len);
    t.equal(
      kryoSerialize(msg).toString('hex').toUpperCase(),
      txEncode.kryoSerialize(msg, false).toUpperCase(),
      `length ${len}`,
    );
  }
});

t.test(
  'native hash-signature verify agrees with dag4 sign/verify, and refuses wrong key and tampered hash',
  async (t) => {
    for (let i = 0; i < 30; i++) {
      const k = key(i);
      const other = key(i + 1);
      const hash = keyStore.sha256(`tx-${i}-${Math.random()}`);
      const sig = await keyStore.sign(k.privateKey, hash);
      const id = k.publicKey.slice(2);
      t.equal(keyStore.verify(k.publicKey, hash, sig), true);
      t.equal(verifyHashSignature(id, hash, sig), true, 'native accepts what dag4 signed');
      t.equal(verifyHashSignature(other.publicKey.slice(2), hash, sig), false, 'wrong key refused');
      const tampered = (hash[0] === 'a' ? 'b' : 'a') + hash.slice(1);
      t.equal(verifyHashSignature(id, tampered, sig), false, 'tampered hash refused');
      t.equal(verifyHashSignature(id, hash, 'zz'), false, 'garbage signature refused, no throw');
    }
  },
);
