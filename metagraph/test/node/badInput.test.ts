// Acceptance 4 (issue 3): malformed JSON, oversized bodies, negative or fractional amounts, self-sends, stale
// parent references and insufficient balance each get a clear error with a code; the node keeps serving.

import { generateKeyPair, type KeyPair } from '@datagraph/protocol';
import { keyStore } from '@stardust-collective/dag4-keystore';
import t from 'tap';
import { transactionHash } from '../../src/index.ts';
import { getJson, postJson, startTestNode } from './helpers.ts';

const ZERO = '0'.repeat(64);

async function dag4Tx(
  from: KeyPair,
  to: string,
  tokens: number,
  parent: { hash: string; ordinal: number },
  feeTokens = 0,
) {
  const { transaction, hash } = await keyStore.generateTransactionWithHashV2(
    tokens,
    to,
    { privateKey: from.privateKey, publicKey: `04${from.publicKey}`, address: from.address } as never,
    parent,
    feeTokens,
  );
  return { tx: transaction as { value: Record<string, unknown>; proofs: { id: string; signature: string }[] }, hash };
}

/** A transaction built by hand (dag4 refuses to build these), signed over our dag4-equal hash. */
async function handTx(from: KeyPair, value: Record<string, unknown>) {
  const full = { source: from.address, parent: { hash: ZERO, ordinal: 0 }, salt: '8800000000000001', fee: 0, ...value };
  let signature = '3006020101020101';
  try {
    signature = await keyStore.sign(from.privateKey, transactionHash(full as never));
  } catch {
    // unhashable on purpose (a fractional amount): the node must refuse it before it hashes anything
  }
  return { value: full, proofs: [{ id: from.publicKey, signature }] };
}

t.test('bad transactions and bodies get a code; the node keeps serving', async (t) => {
  const tn = await startTestNode({ wallets: 3, each: 10n * 100_000_000n });
  t.teardown(() => tn.close());
  const { urls } = tn.node;
  const [alice, bob, dave] = tn.funded as [KeyPair, KeyPair, KeyPair];
  const carol = generateKeyPair();
  const post = (body: unknown) => postJson(`${urls.l1}/transactions`, body);
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
  const expectCode = async (what: string, r: Promise<{ status: number; body: any }>, status: number, code: string) => {
    const res = await r;
    t.equal(res.status, status, `${what}: HTTP ${status}`);
    t.equal(res.body?.code, code, `${what}: ${code}`);
    t.ok(
      Array.isArray(res.body?.errors) && res.body.errors.length > 0 && typeof res.body.errors[0].message === 'string',
      `${what}: Tessellation-style errors list`,
    );
  };

  await expectCode(
    'malformed JSON',
    postJson(`${urls.l1}/transactions`, null, '{"value": {"source": '),
    400,
    'PR_INVALID_JSON',
  );
  await expectCode('malformed JSON on data L1', postJson(`${urls.dataL1}/data`, null, '{nope'), 400, 'PR_INVALID_JSON');
  await expectCode('empty JSON body', postJson(`${urls.l1}/transactions`, null, ''), 400, 'PR_INVALID_JSON');
  await expectCode(
    'oversized transaction body',
    postJson(`${urls.l1}/transactions`, { pad: 'x'.repeat(70 * 1024) }),
    413,
    'MG_BODY_TOO_LARGE',
  );
  await expectCode(
    'oversized data body',
    postJson(`${urls.dataL1}/data`, { pad: 'x'.repeat(17 * 1024 * 1024) }),
    413,
    'MG_BODY_TOO_LARGE',
  );
  const textRes = await fetch(`${urls.l1}/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  });
  t.equal(textRes.status, 415, 'wrong content type: 415');
  t.equal((await textRes.json()).code, 'MG_UNSUPPORTED_MEDIA_TYPE');
  await expectCode('not a transaction', post({ hello: 'world' }), 400, 'MG_TX_MALFORMED');

  await expectCode(
    'negative amount',
    post(await handTx(alice, { destination: bob.address, amount: -5 })),
    400,
    'MG_TX_BAD_AMOUNT',
  );
  await expectCode(
    'zero amount',
    post(await handTx(alice, { destination: bob.address, amount: 0 })),
    400,
    'MG_TX_BAD_AMOUNT',
  );
  await expectCode(
    'fractional amount',
    post(await handTx(alice, { destination: bob.address, amount: 1.5 })),
    400,
    'MG_TX_BAD_AMOUNT',
  );
  await expectCode(
    'negative fee',
    post(await handTx(alice, { destination: bob.address, amount: 5, fee: -1 })),
    400,
    'MG_TX_BAD_FEE',
  );
  await expectCode(
    'self-send',
    post(await handTx(alice, { destination: alice.address, amount: 5 })),
    400,
    'MG_TX_SELF_SEND',
  );

  const good = await dag4Tx(alice, carol.address, 1, { hash: ZERO, ordinal: 0 });
  const tampered = { ...good.tx, value: { ...good.tx.value, amount: 2 * 100_000_000 } };
  await expectCode('tampered after signing', post(tampered), 400, 'MG_TX_BAD_SIGNATURE');
  const byBob = await dag4Tx(bob, carol.address, 1, { hash: ZERO, ordinal: 0 });
  await expectCode(
    'signed by someone other than the source',
    post({ value: { ...byBob.tx.value, source: alice.address }, proofs: byBob.tx.proofs }),
    400,
    'MG_TX_BAD_SIGNATURE',
  );
  const bobsOwn = await handTx(bob, { destination: carol.address, amount: 5 });
  await expectCode(
    'valid signature by a key that is not the source',
    post({ value: bobsOwn.value, proofs: bobsOwn.proofs.map((p) => ({ ...p })) }).then(async () => {
      const v = { ...bobsOwn.value, source: alice.address };
      return post({
        value: v,
        proofs: [{ id: bob.publicKey, signature: await keyStore.sign(bob.privateKey, transactionHash(v as never)) }],
      });
    }),
    400,
    'MG_TX_SIGNER_MISMATCH',
  );

  await expectCode(
    'parent that is not the chain head',
    post((await dag4Tx(alice, carol.address, 1, { hash: ZERO, ordinal: 5 })).tx),
    400,
    'MG_TX_PARENT_MISMATCH',
  );
  await expectCode(
    'more than the balance',
    post((await dag4Tx(alice, carol.address, 11, { hash: ZERO, ordinal: 0 })).tx),
    400,
    'MG_TX_INSUFFICIENT_BALANCE',
  );

  // A good one, then the pending spend counts against the balance.
  const first = await post(good.tx);
  t.equal(first.status, 200);
  t.equal(first.body.hash, good.hash, 'hash is dag4 prepareTx hash');
  t.same((await post(good.tx)).body, { hash: good.hash }, 'resubmitting a pending transaction is idempotent');
  await expectCode(
    'pending spends count against the balance',
    post((await dag4Tx(alice, carol.address, 9.5, { hash: good.hash, ordinal: 1 })).tx),
    400,
    'MG_TX_INSUFFICIENT_BALANCE',
  );
  await tn.node.snapshotNow();
  t.same((await post(good.tx)).body, { hash: good.hash }, 'resubmitting a confirmed transaction is idempotent');
  await expectCode(
    'stale parent after the snapshot',
    post((await dag4Tx(alice, bob.address, 1, { hash: ZERO, ordinal: 0 })).tx),
    400,
    'MG_TX_STALE_PARENT',
  );

  await expectCode('bad address', getJson(`${urls.l0}/currency/DAGnotanaddress/balance`), 400, 'PR_BAD_ADDRESS');
  await expectCode('unknown snapshot', getJson(`${urls.l0}/snapshots/999`), 404, 'MG_NOT_FOUND');
  await expectCode('unknown route', getJson(`${urls.l1}/nothing/here`), 404, 'MG_NOT_FOUND');
  await expectCode('unknown pending tx', getJson(`${urls.l1}/transactions/${ZERO}`), 404, 'MG_NOT_FOUND');
  await expectCode('bad hash', getJson(`${urls.l1}/transactions/xyz`), 400, 'MG_BAD_REQUEST');

  // Still serving: cluster info, and a valid next transfer goes through.
  t.equal((await getJson(`${urls.l1}/cluster/info`)).status, 200);
  const next = await dag4Tx(alice, bob.address, 2, { hash: good.hash, ordinal: 1 });
  t.equal((await post(next.tx)).status, 200, 'a valid transfer is still accepted');
  // Older dag4 versions send "" as the first parent's hash; Tessellation's empty hash is 64 zeros: both work.
  const legacy = await dag4Tx(dave, carol.address, 1, { hash: '', ordinal: 0 });
  t.same((await post(legacy.tx)).body, { hash: legacy.hash }, 'first transaction with parent hash ""');
  await tn.node.snapshotNow();
  t.same(
    (await getJson(`${urls.l0}/currency/${alice.address}/balance`)).body,
    { ordinal: 2, balance: 7 * 100_000_000 },
    'balances right after all that',
  );
  t.same(
    (await getJson(`${urls.l0}/currency/1/${alice.address}/balance`)).body,
    { ordinal: 1, balance: 9 * 100_000_000 },
    'balance at an earlier ordinal',
  );
  t.same(
    (await getJson(`${urls.l0}/currency/total-supply`)).body,
    { ordinal: 2, total: 30 * 100_000_000 },
    'no fees: supply unchanged',
  );
  const [latestSnap, info] = (await getJson(`${urls.l0}/snapshots/latest/combined`)).body;
  t.equal(latestSnap.value.ordinal, 2, 'combined: the latest snapshot');
  t.equal(info.balances[alice.address], 7 * 100_000_000, 'combined: full balances');
  t.same(info.lastTxRefs[alice.address], { hash: next.hash, ordinal: 2 }, 'combined: last references');
});
