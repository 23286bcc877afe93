// The journal on its own: one atomic plan write, carried balances replaced, the distributed-query index,
// statements readable per provider and cycle, and statements of a plan that never committed never shown.
import { join } from 'node:path';
import { Level } from 'level';
import t from 'tap';
import { allocateCycle } from '../../src/rewards/allocateCycle.ts';
import { type CycleRecord, RewardCycleJournal, type TransferEntry } from '../../src/rewards/RewardCycleJournal.ts';
import { tempDir } from './helpers.ts';

const record = (cycle: number, planId: string): CycleRecord => ({
  cycle,
  planId,
  state: 'planned',
  plannedAt: 1,
  feeBps: 0,
  minPayout: '100',
  queries: 1,
  totals: { payments: '0', fees: '0', earned: '0', payouts: '0', carriedIn: '0', carriedOut: '0' },
  payoutRoot: '0'.repeat(64),
  transferCount: 1,
  receipt: { value: {} as never, proofs: [] },
  queriesMarked: false,
});
const row = (c: string, provider: string) => ({ commitment: c.repeat(64), provider });

t.test('plan write, carried balances, distributed index, statements, transfers', async (t) => {
  const tmp = await tempDir();
  const path = join(tmp.dir, 'j');
  let journal = await RewardCycleJournal.open(path);
  t.teardown(async () => {
    await journal.close();
    await tmp.remove();
  });
  t.equal(await journal.nextCycle(), 1);
  const a1 = allocateCycle({
    queries: [{ queryId: 'q1', amount: 150n, rows: [row('1', 'alice'), row('2', 'bob')] }],
    carriedIn: new Map(),
    feeBps: 0,
    minPayout: 100n,
  });
  const transfer: TransferEntry = {
    cycle: 1,
    index: 0,
    provider: 'x',
    amount: '1',
    hash: 'a'.repeat(64),
    parent: { hash: '0'.repeat(64), ordinal: 0 },
    ordinal: 1,
    signed: {} as never,
    state: 'planned',
  };
  await journal.recordPlan(record(1, 'plan-1'), a1, [transfer]);
  t.equal(await journal.nextCycle(), 2);
  t.same(
    [...(await journal.carried())],
    [
      ['alice', 75n],
      ['bob', 75n],
    ],
  );
  t.same([...(await journal.distributed(['q1', 'q2']))], ['q1']);
  t.same(await journal.fees(1), [{ queryId: 'q1', amount: 0n }]);
  t.same(await journal.providerTransfers('x', 1), ['a'.repeat(64)]);
  await t.rejects(
    journal.recordPlan(record(1, 'again'), a1, []),
    { code: 'GW_REWARD_CYCLE_BUSY' },
    'a cycle is planned once',
  );

  // Cycle 2: alice reaches the minimum and is paid, bob still carries; carried balances are replaced.
  const a2 = allocateCycle({
    queries: [{ queryId: 'q2', amount: 30n, rows: [row('1', 'alice')] }],
    carriedIn: await journal.carried(),
    feeBps: 0,
    minPayout: 100n,
  });
  await journal.recordPlan(record(2, 'plan-2'), a2, []);
  t.same([...(await journal.carried())], [['bob', 75n]]);
  const alice = await journal.statements('alice');
  t.same(
    alice.map((s) => [s.cycle, s.carriedIn, s.shares, s.paid, s.carriedOut]),
    [
      [1, '0', [['q1', 1, '75']], '0', '75'],
      [2, '75', [['q2', 1, '30']], '105', '0'],
    ],
  );
  t.same((await journal.statements('alice', { fromCycle: 2 })).length, 1);
  t.same(
    (await journal.openCycles()).map((c) => c.cycle),
    [1, 2],
  );
  await journal.updateCycle({ ...record(1, 'plan-1'), state: 'receipted' });
  t.same(
    (await journal.openCycles()).map((c) => c.cycle),
    [2],
  );
  await journal.updateTransfers([{ ...transfer, state: 'superseded', supersededBy: 1 }]);
  t.same(await journal.providerTransfers('x', 1), [], 'superseded transfers leave the provider index');

  // A plan that wrote its statements but crashed before its commit: its lines must never show.
  await journal.close();
  const raw = new Level<string, string>(path, { valueEncoding: 'utf8' });
  await raw.open();
  const stmt = raw.sublevel<string, string>('stmt', { valueEncoding: 'utf8' });
  await stmt.put(
    `carol!${'2'.padStart(10, '0')}`,
    JSON.stringify({
      cycle: 2,
      planId: 'crashed-plan',
      provider: 'carol',
      carriedIn: '0',
      shares: [['q9', 1, '999']],
      earned: '999',
      paid: '999',
      carriedOut: '0',
    }),
  );
  await raw.close();
  journal = await RewardCycleJournal.open(path);
  t.same(await journal.statements('carol'), [], 'orphaned statement lines are not shown');
  t.equal((await journal.statements('alice')).length, 2, 'the committed ones still are');
});

t.test('query ids that need JSON escaping survive the statement text', async (t) => {
  const tmp = await tempDir();
  const journal = await RewardCycleJournal.open(join(tmp.dir, 'j'));
  t.teardown(async () => {
    await journal.close();
    await tmp.remove();
  });
  const odd = 'q"\\\n1';
  const a = allocateCycle({
    queries: [{ queryId: odd, amount: 10n, rows: [row('1', 'alice')] }],
    carriedIn: new Map(),
    feeBps: 0,
    minPayout: 1n,
  });
  await journal.recordPlan(record(1, 'p'), a, []);
  t.same((await journal.statements('alice'))[0]?.shares, [[odd, 1, '10']]);
});
