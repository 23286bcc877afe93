// The rewards engine against the local metagraph node: a cycle pays every provider what its statement says,
// carries small amounts, defers when the treasury is short, and re-plans when the treasury chain moved under a
// journaled cycle. Balances are read from the ledger, never from the engine.
import { join } from 'node:path';
import { generateKeyPair, isProtocolError, ProtocolError, systemClock, verifyMerkleProof } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { LedgerClient } from '../../src/ledger/LedgerClient.ts';
import { payoutLineCommitment } from '../../src/rewards/payoutRoot.ts';
import { earningsCsv, ProviderEarnings, providerEarnings } from '../../src/rewards/providerEarnings.ts';
import { RewardCycleJournal } from '../../src/rewards/RewardCycleJournal.ts';
import { RewardEngine, type RewardEngineOptions } from '../../src/rewards/RewardEngine.ts';
import { payoutProof, RewardCycleSummary, rewardCycleSummary } from '../../src/rewards/rewardCycleSummary.ts';
import { TreasuryClient, type TreasuryLedger } from '../../src/rewards/TreasuryClient.ts';
import { ArrayQuerySource, getJson, makeQueries, startRewardsNode, tempDir, waitFor } from './helpers.ts';

async function setup(t: Test, opts: { treasuryFunds?: bigint; minPayout?: bigint } = {}) {
  const rn = await startRewardsNode(opts.treasuryFunds === undefined ? {} : { treasuryFunds: opts.treasuryFunds });
  const tmp = await tempDir();
  const journal = await RewardCycleJournal.open(join(tmp.dir, 'journal'));
  t.teardown(async () => {
    await journal.close();
    await rn.close();
    await tmp.remove();
  });
  const { urls } = rn.node;
  const treasury = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey);
  const source = new ArrayQuerySource();
  const make = (over: Partial<RewardEngineOptions> = {}) =>
    new RewardEngine({
      journal,
      treasury,
      queries: source,
      receipts: new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, rn.gateway.privateKey),
      gatewayKey: rn.gateway,
      feeBps: 250,
      minPayout: opts.minPayout ?? 1n,
      clock: systemClock,
      confirmTimeoutMs: 60_000,
      pollMs: 100,
      ...over,
    });
  return { rn, journal, treasury, source, make };
}

async function ledgerMatchesStatements(
  t: Test,
  journal: RewardCycleJournal,
  treasury: TreasuryClient,
  providers: string[],
) {
  for (const p of providers) {
    const e = await providerEarnings(journal, p);
    t.equal(
      String(await treasury.balanceOf(p)),
      e.totals.paidConfirmed,
      `ledger balance of ${p.slice(0, 10)} equals its statement`,
    );
  }
}

t.test('a cycle pays each provider its statement total, on the ledger, with a RewardCycle receipt', async (t) => {
  const { rn, journal, treasury, source, make } = await setup(t);
  const providers = Array.from({ length: 6 }, () => generateKeyPair().address);
  source.add(...makeQueries(providers, 20));
  const engine = make();
  const out = await engine.runCycle();
  t.equal(out.length, 1);
  t.equal(out[0]?.state, 'receipted', 'paid and receipted');
  const record = out[0]?.record;
  t.equal(record?.queries, 20);
  t.equal(source.marked.size, 20, 'the query store was told the queries are distributed');
  await ledgerMatchesStatements(t, journal, treasury, providers);

  const totals = record?.totals;
  const payments = source.queries.reduce((s, q) => s + q.amount, 0n);
  t.equal(totals?.payments, String(payments));
  t.equal(
    BigInt(totals?.payouts ?? -1) + BigInt(totals?.fees ?? -1) + BigInt(totals?.carriedOut ?? -1),
    payments,
    'conserved',
  );

  const onLedger = await waitFor(async () => {
    const r = await getJson(`${rn.node.urls.l0}/data-application/reward-cycles/${rn.gateway.address}/1`);
    return r.status === 200 ? r.body : undefined;
  }, 'RewardCycle receipt in a snapshot');
  t.equal(onLedger.payoutRoot, record?.payoutRoot, 'payout root on the ledger');
  t.same(onLedger.totals, record?.receipt.value.type === 'RewardCycle' ? record.receipt.value.totals : null);

  // Each provider can prove its payout against the root on the ledger.
  for (const p of providers) {
    const proof = await payoutProof(journal, 1, p);
    t.ok(proof, 'a paid provider has a payout proof');
    t.equal(proof?.line.amount, String(await treasury.balanceOf(p)), 'the proven line is what the ledger paid');
    t.ok(verifyMerkleProof(payoutLineCommitment(proof?.line as never), proof?.proof as never, onLedger.payoutRoot));
  }
  const first = (await payoutProof(journal, 1, providers[0] as string)) as NonNullable<
    Awaited<ReturnType<typeof payoutProof>>
  >;
  const inflated = { ...first.line, amount: String(BigInt(first.line.amount) + 1n) };
  t.notOk(
    verifyMerkleProof(payoutLineCommitment(inflated), first.proof, onLedger.payoutRoot),
    'an inflated line fails',
  );
  t.equal(await payoutProof(journal, 1, generateKeyPair().address), undefined, 'no proof for someone not paid');
  const summary = await rewardCycleSummary(journal, 1);
  t.equal(RewardCycleSummary.safeParse(summary).success, true, 'the summary matches its schema');
  t.equal(summary.fees.length, 20);
  t.ok(summary.transfers.every((x) => x.state === 'confirmed'));
  await t.rejects(rewardCycleSummary(journal, 99), { code: 'GW_REWARD_CYCLE_NOT_FOUND' });

  const e = await providerEarnings(journal, providers[0] as string);
  t.equal(ProviderEarnings.safeParse(e).success, true, 'the statement matches its schema');
  t.ok(
    e.cycles[0]?.lines.some((l) => l.reason === 'query-share'),
    'statement has query-share lines',
  );
  t.ok(
    e.cycles[0]?.lines.some((l) => l.reason === 'paid' && l.txHashes?.length === 1),
    'paid line names its transfer',
  );
  t.match(earningsCsv(e), /^provider,cycle,cycle_state,reason,query_id,rows,amount_base_units/);

  t.same(await engine.runCycle(), [], 'nothing new: no cycle');
});

t.test('amounts under the minimum payout are carried, then paid once they reach it', async (t) => {
  const { journal, treasury, source, make } = await setup(t, { minPayout: 1_000n });
  const p = generateKeyPair().address;
  const q = generateKeyPair().address;
  const row = (c: string, provider: string) => ({ commitment: c.repeat(64), provider });
  source.add({ queryId: 'q-1', amount: 1_000n, rows: [row('1', p), row('2', q), row('3', q)] });
  const engine = make({ feeBps: 0 });
  await engine.runCycle();
  // 1000 over 3 rows: p gets 333 or 334, q 666 or 667: both under 1000, both carried
  let ep = await providerEarnings(journal, p);
  t.equal(ep.totals.paid, '0');
  t.ok(BigInt(ep.totals.carried) >= 333n, 'p carries its share');
  t.equal(await treasury.balanceOf(p), 0n, 'nothing paid yet');
  source.add({ queryId: 'q-2', amount: 2_000n, rows: [row('1', p)] });
  const out = await engine.runCycle();
  t.equal(out.at(-1)?.state, 'receipted');
  ep = await providerEarnings(journal, p);
  t.equal(ep.totals.carried, '0');
  t.equal(ep.cycles[1]?.lines[0]?.reason, 'carried-in', 'second cycle opens with the carried balance');
  t.equal(await treasury.balanceOf(p), BigInt(ep.totals.paid), 'carried + new share paid');
  t.equal(await treasury.balanceOf(q), 0n, 'q still under the minimum');
  const eq = await providerEarnings(journal, q);
  t.ok(BigInt(eq.totals.carried) >= 666n, 'q still carried');
});

t.test('treasury short of funds: deferred with GW_TREASURY_SHORT, nothing journaled, paid once funded', async (t) => {
  const { rn, journal, treasury, source, make } = await setup(t, { treasuryFunds: 1_000n });
  const providers = Array.from({ length: 3 }, () => generateKeyPair().address);
  source.add(...makeQueries(providers, 5));
  const engine = make();
  await t.rejects(engine.runCycle(), { code: 'GW_TREASURY_SHORT' });
  t.equal(await journal.nextCycle(), 1, 'no cycle journaled');
  t.equal(source.marked.size, 0, 'no query marked');

  // Fund the treasury from another wallet with dag4, wait for the snapshot, run again.
  const account = dag4.createAccount(rn.other.privateKey);
  const { urls } = rn.node;
  const client = account.createMetagraphTokenClient({
    id: 'dg',
    metagraphId: 'dg',
    l0Url: urls.l0,
    l1Url: urls.l1,
    beUrl: urls.be,
  } as never);
  await client.transfer(rn.treasury.address, 100_000, 0);
  await waitFor(async () => (await treasury.balance()) > 1_000n, 'treasury funded');
  const out = await engine.runCycle();
  t.equal(out[0]?.state, 'receipted');
  await ledgerMatchesStatements(t, journal, treasury, providers);
});

t.test(
  'treasury chain moved after journaling: the dead transfers are re-planned, each provider paid once',
  async (t) => {
    const { rn, journal, treasury, source, make } = await setup(t);
    const providers = Array.from({ length: 4 }, () => generateKeyPair().address);
    for (let i = 0; i < 8; i++) {
      const rows = providers.map((provider, j) => ({
        commitment: (i * 10 + j).toString(16).padStart(64, '0'),
        provider,
      }));
      source.add({ queryId: `q-${i}`, amount: 10_000n + BigInt(i), rows });
    }
    // Stop right after the journal write, as a crash would.
    const crashing = make({
      onStep: (step) => {
        if (step === 'planned') throw new Error('stop here');
      },
    });
    await t.rejects(crashing.runCycle(), /stop here/);
    const journaled = await journal.transfers(1);
    t.equal(journaled.length, 4);

    // Someone else spends from the treasury key: the journaled parent is taken.
    const { urls } = rn.node;
    const client = dag4.createAccount(rn.treasury.privateKey).createMetagraphTokenClient({
      id: 'dg',
      metagraphId: 'dg',
      l0Url: urls.l0,
      l1Url: urls.l1,
      beUrl: urls.be,
    } as never);
    const stranger = generateKeyPair().address;
    await client.transfer(stranger, 1, 0);
    await waitFor(async () => (await treasury.balanceOf(stranger)) > 0n, 'the other spend confirmed');

    const out = await make().runCycle();
    t.equal(out[0]?.state, 'receipted');
    const all = await journal.transfers(1);
    t.equal(all.filter((x) => x.state === 'superseded').length, 4, 'the four journaled transfers were superseded');
    t.equal(all.filter((x) => x.state === 'confirmed').length, 4, 'four new ones confirmed');
    await ledgerMatchesStatements(t, journal, treasury, providers);
    for (const x of journaled) t.equal(await treasury.status(x.hash), 'unknown', 'a superseded transfer never landed');
  },
);

t.test('a run while one is going is refused with GW_REWARD_CYCLE_BUSY', async (t) => {
  const { source, make } = await setup(t);
  source.add(...makeQueries([generateKeyPair().address], 2));
  const engine = make();
  const first = engine.runCycle();
  let code: string | undefined;
  try {
    await engine.runCycle();
  } catch (e) {
    code = isProtocolError(e) ? e.code : String(e);
  }
  t.equal(code, 'GW_REWARD_CYCLE_BUSY');
  t.equal((await first)[0]?.state, 'receipted', 'the first run completes');
});

t.test('start() runs cycles on its interval and keeps going after a deferred one', async (t) => {
  const { journal, source, make, treasury } = await setup(t, { treasuryFunds: 100n });
  const p = generateKeyPair().address;
  source.add({ queryId: 'q-big', amount: 1_000n, rows: [{ commitment: 'e'.repeat(64), provider: p }] });
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
  const engine = make({ feeBps: 0, logger });
  engine.start(100);
  t.teardown(() => engine.stop());
  // 1000 owed, 100 in the treasury: every tick is deferred (and logged with its code), nothing is journaled
  await waitFor(() => logged.filter((l) => l.includes('GW_TREASURY_SHORT')).length >= 2, 'two deferred ticks');
  t.equal(await journal.nextCycle(), 1, 'deferred while the treasury is short');
  source.queries.splice(0);
  source.add({ queryId: 'q-small', amount: 50n, rows: [{ commitment: 'e'.repeat(64), provider: p }] });
  const done = await waitFor(async () => (await journal.cycle(1))?.state === 'receipted', 'a scheduled cycle');
  t.ok(done);
  engine.stop();
  t.equal(await treasury.balanceOf(p), 50n);
});

t.test(
  'a receipt the data L1 refuses leaves the cycle paid, does not block the next cycle, and is retried',
  async (t) => {
    const { rn, journal, treasury, source, make } = await setup(t);
    const { urls } = rn.node;
    const ledger = new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, rn.gateway.privateKey);
    let refuse = true;
    const receipts = {
      submit: async (u: Parameters<LedgerClient['submit']>[0]) => {
        if (refuse) throw new ProtocolError('GW_LEDGER_UNAVAILABLE', 'data L1 down for the test');
        return ledger.submit(u);
      },
    };
    const p = generateKeyPair().address;
    source.add({ queryId: 'q-1', amount: 500n, rows: [{ commitment: '1'.repeat(64), provider: p }] });
    const first = await make({ receipts }).runCycle();
    t.same(
      first.map((o) => [o.cycle, o.state]),
      [[1, 'paid']],
      'not thrown: the run reports the cycle paid',
    );
    t.equal((await journal.cycle(1))?.state, 'paid', 'transfers done, receipt outstanding');
    t.equal((await journal.cycle(1))?.lastError?.code, 'GW_LEDGER_UNAVAILABLE', 'the error is recorded on the cycle');

    source.add({ queryId: 'q-2', amount: 700n, rows: [{ commitment: '2'.repeat(64), provider: p }] });
    const out = await make({ receipts }).runCycle();
    t.same(
      out.map((o) => [o.cycle, o.state]),
      [
        [1, 'paid'],
        [2, 'paid'],
      ],
      'cycle 2 paid although cycle 1 still has no receipt',
    );
    refuse = false;
    const later = await make({ receipts }).runCycle();
    t.same(
      later.map((o) => [o.cycle, o.state]),
      [
        [1, 'receipted'],
        [2, 'receipted'],
      ],
    );
    t.equal((await journal.cycle(1))?.lastError, undefined, 'the receipt error is cleared once receipted');
    const e = await providerEarnings(journal, p);
    t.equal(String(await treasury.balanceOf(p)), e.totals.paidConfirmed);
  },
);

t.test('the treasury as a provider is paid by keeping its share (no self-send)', async (t) => {
  const { rn, journal, treasury, source, make } = await setup(t);
  const other = generateKeyPair().address;
  const before = await treasury.balance();
  source.add({
    queryId: 'q-self',
    amount: 1_000n,
    rows: [
      { commitment: '1'.repeat(64), provider: rn.treasury.address },
      { commitment: '2'.repeat(64), provider: other },
    ],
  });
  const out = await make({ feeBps: 0 }).runCycle();
  t.equal(out[0]?.state, 'receipted');
  t.equal(await treasury.balanceOf(other), 500n);
  t.equal(await treasury.balance(), before - 500n, 'only the other provider was sent anything');
  t.equal((await providerEarnings(journal, rn.treasury.address)).totals.paid, '500');
});

t.test('a provider that is not a DAG address stops the cycle before anything is journaled', async (t) => {
  const { journal, source, make } = await setup(t);
  source.add({ queryId: 'q-bad', amount: 1_000n, rows: [{ commitment: '1'.repeat(64), provider: 'not-an-address' }] });
  await t.rejects(make().runCycle(), { code: 'GW_REWARD_BAD_INPUT' });
  t.equal(await journal.nextCycle(), 1);
});

t.test(
  'treasury drained after journaling: GW_TREASURY_SHORT on sending, cycle kept open, paid once funded',
  async (t) => {
    const { rn, journal, treasury, source, make } = await setup(t, { treasuryFunds: 1_000_000n });
    const providers = [generateKeyPair().address, generateKeyPair().address];
    source.add({
      queryId: 'q-1',
      amount: 600_000n,
      rows: providers.map((provider, i) => ({ commitment: String(i + 1).repeat(64), provider })),
    });
    await t.rejects(
      make({
        onStep: (step) => {
          if (step === 'planned') throw new Error('stop here');
        },
      }).runCycle(),
      /stop here/,
    );
    // Someone spends most of the treasury: the journaled chain is broken and the money is gone.
    const { urls } = rn.node;
    const net = { id: 'dg', metagraphId: 'dg', l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be } as never;
    const stranger = generateKeyPair().address;
    await dag4.createAccount(rn.treasury.privateKey).createMetagraphTokenClient(net).transfer(stranger, 0.009, 0);
    await waitFor(async () => (await treasury.balanceOf(stranger)) === 900_000n, 'the drain confirmed');

    const engine = make();
    await t.rejects(engine.runCycle(), { code: 'GW_TREASURY_SHORT' });
    const open = await journal.cycle(1);
    t.equal(open?.state, 'planned', 'the cycle stays open');
    t.equal(open?.lastError?.code, 'GW_TREASURY_SHORT', 'with the reason recorded');

    await dag4.createAccount(rn.other.privateKey).createMetagraphTokenClient(net).transfer(rn.treasury.address, 1, 0);
    await waitFor(async () => (await treasury.balance()) > 1_000_000n, 'treasury funded again');
    const out = await engine.runCycle();
    t.equal(out[0]?.state, 'receipted');
    await ledgerMatchesStatements(t, journal, treasury, providers);
    t.equal((await journal.cycle(1))?.lastError, undefined, 'the error is cleared once paid');
  },
);

t.test('an L1 that names a transfer by another hash halts the cycle instead of risking a second payment', async (t) => {
  const { journal, treasury, source, make } = await setup(t);
  const lying: TreasuryLedger = {
    address: treasury.address,
    balance: () => treasury.balance(),
    lastReference: () => treasury.lastReference(),
    signTransfers: (x, parent) => treasury.signTransfers(x, parent),
    status: (h) => treasury.status(h),
    post: async (signed) => {
      await treasury.post(signed);
      return 'f'.repeat(64);
    },
  };
  const p = generateKeyPair().address;
  source.add({ queryId: 'q-1', amount: 500n, rows: [{ commitment: '1'.repeat(64), provider: p }] });
  await t.rejects(make({ treasury: lying }).runCycle(), { code: 'GW_INTERNAL' });
  t.match((await journal.cycle(1))?.halted, /the L1 named transfer 0/);
  await t.rejects(
    make().runCycle(),
    { code: 'GW_INTERNAL', message: /halted/ },
    'stays halted, even with an honest L1',
  );
  await waitFor(async () => (await treasury.balanceOf(p)) > 0n, 'the one transfer confirmed');
  t.equal(await treasury.balanceOf(p), 500n - 12n, 'paid once (500 less the 2.5% fee)');
});
