// Acceptance 1 (issue 3): dag4 2.8.1's MetagraphTokenClient, unchanged, against the local node.

import { generateKeyPair } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import t from 'tap';
import { getJson, startTestNode, waitFor } from './helpers.ts';

t.test(
  'dag4 MetagraphTokenClient: transfer, balance after snapshot, batch of 100 in parent order, pending -> confirmed',
  async (t) => {
    const tn = await startTestNode({ wallets: 1, each: 1_000n * 100_000_000n, snapshotIntervalMs: 200 });
    t.teardown(() => tn.close());
    const { urls } = tn.node;
    const funded = tn.funded[0] as (typeof tn.funded)[number];
    const account = dag4.createAccount();
    account.loginPrivateKey(funded.privateKey);
    const client = account.createMetagraphTokenClient({
      id: 'datagraph-local',
      metagraphId: 'DAG0local0metagraph',
      l0Url: urls.l0,
      l1Url: urls.l1,
      dl1Url: urls.dataL1,
      beUrl: urls.be,
    } as never);

    t.equal(await client.getBalance(), 1000, 'genesis balance, in tokens');
    const receiver = generateKeyPair();
    t.equal(await client.getBalanceFor(receiver.address), 0, 'a new wallet has nothing');

    const pending = await client.transfer(receiver.address, 12.5, 0.001);
    t.match(pending, { hash: /^[0-9a-f]{64}$/, status: 'POSTED', sender: funded.address, receiver: receiver.address });

    // dag4's own status calls: the L1 knows it as pending until a snapshot takes it...
    const network = client.networkInstance;
    const seenPending = await network.getPendingTransaction(pending.hash);
    // ...unless a snapshot already took it (interval 200 ms): then the block explorer has it.
    if (seenPending)
      t.equal(seenPending.hash, pending.hash, 'L1 GET /transactions/:hash shows the pending transaction');
    const confirmed = await waitFor(
      () => network.getTransaction(pending.hash),
      'block explorer to confirm the transfer',
    );
    t.match(confirmed, {
      hash: pending.hash,
      source: funded.address,
      destination: receiver.address,
      amount: 1_250_000_000,
      fee: 100_000,
    });
    t.equal(await network.getPendingTransaction(pending.hash), null, 'no longer pending once in a snapshot');

    await waitFor(
      async () => (await client.getBalanceFor(receiver.address)) === 12.5,
      'receiver balance after the snapshot',
    );
    t.equal(await client.getBalance(), 1000 - 12.5 - 0.001, 'sender paid amount and fee');
    const supply = await getJson(`${urls.l0}/currency/total-supply`);
    t.equal(supply.body.total, 1000 * 1e8 - 100_000, 'the fee left the supply (this node pays fees to nobody)');

    // transferBatch: 100 transfers, parents chained locally by dag4 (ordinal + 1 each).
    const targets = Array.from({ length: 5 }, () => generateKeyPair().address);
    const items = Array.from({ length: 100 }, (_, i) => ({
      address: targets[i % 5] as string,
      amount: 0.01 * (1 + (i % 3)),
      fee: 0,
    }));
    const hashes = await client.transferBatch(items);
    t.equal(hashes.length, 100, '100 hashes back');
    t.equal(new Set(hashes).size, 100, 'all distinct');
    const txs = await waitFor(async () => {
      const all = await Promise.all(hashes.map((h) => network.getTransaction(h)));
      return all.every((x) => x) ? (all as NonNullable<(typeof all)[number]>[]) : undefined;
    }, 'all 100 batch transfers confirmed');
    // Parent order: each transaction's parent is the one before it, ordinals consecutive after the first transfer.
    txs.forEach((tx, i) => {
      t.equal(tx.ordinal, 2 + i, `batch tx ${i} has ordinal ${2 + i}`);
      t.equal(tx.parent.hash, i === 0 ? pending.hash : hashes[i - 1], `batch tx ${i} chains on its predecessor`);
    });
    const snapshotsInOrder = txs.map((x) => x.snapshotOrdinal);
    t.same(
      snapshotsInOrder,
      [...snapshotsInOrder].sort((a, b) => a - b),
      'no transaction lands before its parent',
    );

    const sum = items.reduce((s, x) => s + Math.round(x.amount * 1e8), 0);
    const last = await getJson(`${urls.l1}/transactions/last-reference/${funded.address}`);
    t.same(last.body, { hash: hashes[99], ordinal: 101 }, 'last reference is the last batch transfer');
    await waitFor(
      async () => (await client.getBalance()) * 1e8 === Math.round((1000 - 12.5 - 0.001) * 1e8) - sum || undefined,
      'sender balance after batch',
    );

    const history = await client.getTransactions(200);
    t.equal(history.length, 101, 'block explorer history lists every transfer of the sender');
    t.equal(history[0]?.hash, hashes[99], 'newest first');
    t.equal((await client.getTransactions(10)).length, 10, 'limit');
    const older = await client.getTransactions(200, txs[0]?.timestamp);
    t.same(
      older.map((x) => x.hash),
      [pending.hash],
      'search_after: only what is older than the first batch transfer',
    );
    // The block explorer's `next` cursor pages through everything exactly once.
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await getJson(
        `${urls.be}/currency/x/addresses/${funded.address}/transactions?limit=30${next ? `&next=${next}` : ''}`,
      );
      seen.push(...page.body.data.map((x: { hash: string }) => x.hash));
      next = page.body.meta?.next;
    } while (next);
    t.equal(seen.length, 101, 'paged 101 transactions');
    t.equal(new Set(seen).size, 101, 'no repeats');
  },
);
