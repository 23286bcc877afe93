// dag4 takes token numbers and multiplies by 1e8 itself: every amount we hand it must come back as exactly the
// base units we meant. Checked against dag4's own keyStore.prepareTx, the code that builds the signed amount.
import { generateKeyPair, isProtocolError } from '@datagraph/protocol';
import { keyStore } from '@stardust-collective/dag4-keystore';
import fc from 'fast-check';
import t from 'tap';
import { MAX_DAG4_TRANSFER, splitForDag4, toDag4Amount } from '../../src/rewards/dag4Amount.ts';

const from = generateKeyPair().address;
const to = generateKeyPair().address;
const dag4BaseUnits = (tokens: number): bigint => {
  const { tx } = keyStore.prepareTx(tokens, to, from, { hash: '0'.repeat(64), ordinal: 0 }, 0, '2.0');
  return BigInt((tx as { value: { amount: number } }).value.amount);
};

t.test('every amount from 1 base unit to the maximum transfer reaches dag4 exactly', async (t) => {
  for (const b of [1n, 9n, 10n, 29n, 57n, 100_000_001n, 333_333_333n, 123_456_789_012_345n, MAX_DAG4_TRANSFER]) {
    t.equal(dag4BaseUnits(toDag4Amount(b)), b, `${b}`);
  }
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: MAX_DAG4_TRANSFER }), (b) => dag4BaseUnits(toDag4Amount(b)) === b),
    { numRuns: 5000 },
  );
});

t.test('refuses amounts dag4 cannot carry, and splits large payouts into ones it can', async (t) => {
  for (const b of [0n, -1n, MAX_DAG4_TRANSFER + 1n, 2n ** 60n]) {
    let code: string | undefined;
    try {
      toDag4Amount(b);
    } catch (e) {
      code = isProtocolError(e) ? e.code : String(e);
    }
    t.equal(code, 'GW_REWARD_AMOUNT_UNREPRESENTABLE', `${b} refused`);
  }
  const big = 3n * MAX_DAG4_TRANSFER + 12_345n;
  const parts = splitForDag4(big);
  t.equal(parts.length, 4);
  t.equal(
    parts.reduce((a, b) => a + b, 0n),
    big,
  );
  t.ok(parts.every((p) => dag4BaseUnits(toDag4Amount(p)) === p));
  t.same(splitForDag4(5n), [5n]);
});
