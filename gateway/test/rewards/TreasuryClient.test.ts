// The treasury's dag4 wrapper against the local node: transactions built by dag4 and signed natively verify with
// dag4's own keyStore.verify and are accepted; the dag4 signer path works the same; status moves unknown ->
// pending/confirmed; balances are read exactly above 2^53 base units.
import { generateKeyPair } from '@datagraph/protocol';
import { keyStore } from '@stardust-collective/dag4-keystore';
import t from 'tap';
import { dag4TransactionHash, TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import { startRewardsNode, waitFor } from './helpers.ts';

t.test('signs dag4 transactions both ways, posts them, follows their status, reads exact balances', async (t) => {
  const funds = 2n ** 60n + 1n; // not representable as a double
  const rn = await startRewardsNode({ treasuryFunds: funds });
  t.teardown(() => rn.close());
  const { urls } = rn.node;
  const native = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey);
  const viaDag4 = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey, {
    signer: 'dag4',
  });
  t.equal(await native.balance(), funds, 'exact balance above 2^53');

  const to = [generateKeyPair().address, generateKeyPair().address];
  const head = await native.lastReference();
  const a = await native.signTransfers(
    [
      { destination: to[0] as string, amount: 123_456_789n },
      { destination: to[1] as string, amount: 1n },
    ],
    head,
  );
  t.equal(a.length, 2);
  t.same(a[1]?.parent, { hash: a[0]?.hash, ordinal: head.ordinal + 1 }, 'chained locally, ordinal + 1');
  for (const x of a) {
    const proof = x.signed.proofs[0] as { id: string; signature: string };
    t.ok(keyStore.verify(`04${proof.id}`, x.hash, proof.signature), 'dag4 verifies the native signature over its hash');
    t.equal(dag4TransactionHash(x.signed), x.hash);
    t.equal(await native.status(x.hash), 'unknown', 'not on the ledger before it is posted');
  }
  for (const x of a) t.equal(await native.post(x.signed), x.hash, 'the L1 gives the same hash');
  t.not(await native.status(a[1]?.hash as string), 'unknown', 'pending or confirmed once posted');

  const b = await viaDag4.signTransfers([{ destination: to[0] as string, amount: 5n }], {
    hash: a[1]?.hash as string,
    ordinal: a[1]?.ordinal as number,
  });
  await viaDag4.post(b[0]?.signed as never);
  await waitFor(async () => (await native.status(b[0]?.hash as string)) === 'confirmed', 'confirmed by a snapshot');
  t.equal(await native.status(a[0]?.hash as string), 'confirmed');
  t.equal(await native.balanceOf(to[0] as string), 123_456_794n, 'exact amounts arrived');
  t.equal(await native.balanceOf(to[1] as string), 1n);
  t.equal(await native.balance(), funds - 123_456_795n);
  t.same(await native.lastReference(), { hash: b[0]?.hash, ordinal: head.ordinal + 3 });
});

t.test('a post the L1 refuses for balance is GW_TREASURY_SHORT; a broken chain is GW_REWARD_TX_REJECTED', async (t) => {
  const rn = await startRewardsNode({ treasuryFunds: 10n });
  t.teardown(() => rn.close());
  const { urls } = rn.node;
  const c = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey);
  const [tooMuch] = await c.signTransfers([{ destination: rn.other.address, amount: 11n }], await c.lastReference());
  await t.rejects(c.post(tooMuch?.signed as never), { code: 'GW_TREASURY_SHORT' });
  const [orphan] = await c.signTransfers([{ destination: rn.other.address, amount: 1n }], {
    hash: 'a'.repeat(64),
    ordinal: 7,
  });
  await t.rejects(c.post(orphan?.signed as never), { code: 'GW_REWARD_TX_REJECTED' });
});
