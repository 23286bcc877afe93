// Acceptance 1 of issue 7: conservation to the base unit every cycle, a row in several queries paid from each,
// results independent of input order, nobody negative, the minimum payout honoured.
import { isProtocolError } from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import {
  type AllocationInput,
  allocateCycle,
  extraUnitsStart,
  type PaidQuery,
} from '../../src/rewards/allocateCycle.ts';

const providers = ['DAGp0', 'DAGp1', 'DAGp2', 'DAGp3', 'DAGp4', 'DAGp5'];
// A pool of rows: commitment -> provider fixed, so one row can appear in several queries.
const rowPool = Array.from({ length: 40 }, (_, i) => ({
  commitment: i.toString(16).padStart(64, 'c'),
  provider: providers[i % providers.length] as string,
}));

const queryArb = fc.record({
  queryId: fc.uuid(),
  amount: fc.bigInt({ min: 0n, max: 10n ** 18n }),
  rows: fc.uniqueArray(fc.constantFrom(...rowPool), { minLength: 0, maxLength: 25, selector: (r) => r.commitment }),
});

const inputArb: fc.Arbitrary<AllocationInput> = fc.record({
  queries: fc.uniqueArray(queryArb, { maxLength: 12, selector: (q) => q.queryId }),
  carriedIn: fc
    .array(fc.tuple(fc.constantFrom(...providers, 'DAGonlyCarried'), fc.bigInt({ min: 0n, max: 10n ** 9n })))
    .map((pairs) => new Map(pairs)),
  feeBps: fc.integer({ min: 0, max: 10_000 }),
  minPayout: fc.bigInt({ min: 1n, max: 10n ** 9n }),
});

const sum = (xs: Iterable<bigint>): bigint => {
  let s = 0n;
  for (const x of xs) s += x;
  return s;
};

t.test('conserves value to the base unit: payments + carried in = payouts + fees + carried out', async (t) => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const a = allocateCycle(input);
      const payments = sum(input.queries.map((q) => q.amount));
      const carriedIn = sum(input.carriedIn.values());
      const payouts = sum(a.providers.map((p) => p.paid));
      const fees = sum(a.fees.map((f) => f.amount));
      const carriedOut = sum(a.providers.map((p) => p.carriedOut));
      return (
        payments + carriedIn === payouts + fees + carriedOut &&
        a.totals.payments === payments &&
        a.totals.payouts === payouts &&
        a.totals.fees === fees &&
        a.totals.carriedOut === carriedOut &&
        a.totals.carriedIn === carriedIn
      );
    }),
    { numRuns: 500 },
  );
  t.pass('500 random cycles conserved');
});

t.test('conserves over a chain of cycles: sum(payments) = sum(payouts) + sum(fees) + carried balance', async (t) => {
  fc.assert(
    fc.property(fc.array(inputArb, { minLength: 1, maxLength: 5 }), (cycles) => {
      let carried = new Map<string, bigint>();
      let payments = 0n;
      let payouts = 0n;
      let fees = 0n;
      for (const c of cycles) {
        const a = allocateCycle({ ...c, carriedIn: carried });
        payments += a.totals.payments;
        payouts += a.totals.payouts;
        fees += a.totals.fees;
        carried = new Map(a.providers.filter((p) => p.carriedOut > 0n).map((p) => [p.provider, p.carriedOut]));
      }
      return payments === payouts + fees + sum(carried.values());
    }),
    { numRuns: 200 },
  );
  t.pass('chained cycles conserve');
});

t.test('each query pays its fee and splits the rest over its rows, within one base unit of equal', async (t) => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const a = allocateCycle(input);
      for (const q of input.queries) {
        const fee = a.fees.find((f) => f.queryId === q.queryId)?.amount;
        if (q.rows.length === 0) {
          if (fee !== q.amount) return false;
          continue;
        }
        if (fee !== (q.amount * BigInt(input.feeBps)) / 10_000n) return false;
        const net = q.amount - fee;
        const quota = net / BigInt(q.rows.length);
        let paidOut = 0n;
        for (const p of a.providers) {
          const share = p.shares.find((s) => s.queryId === q.queryId);
          const mine = q.rows.filter((r) => r.provider === p.provider).length;
          if (mine === 0) {
            if (share) return false;
            continue;
          }
          if (!share || share.rows !== mine) return false;
          if (share.amount < quota * BigInt(mine) || share.amount > (quota + 1n) * BigInt(mine)) return false;
          paidOut += share.amount;
        }
        if (paidOut !== net) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('per-query split exact');
});

t.test('property: a row used by several queries earns from each of them', async (t) => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const a = allocateCycle(input);
      const shareOf = new Map(a.providers.map((p) => [p.provider, new Map(p.shares.map((s) => [s.queryId, s]))]));
      for (const q of input.queries) {
        if (q.rows.length === 0) continue;
        const quota = (q.amount - (q.amount * BigInt(input.feeBps)) / 10_000n) / BigInt(q.rows.length);
        for (const row of q.rows) {
          // every query that used the row has a share line for the row's provider, at least the row's quota
          const s = shareOf.get(row.provider)?.get(q.queryId);
          if (!s || s.rows < 1 || s.amount < quota) return false;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('every use of a row is paid');
});

t.test('a row used by several queries earns from each', async (t) => {
  const row = { commitment: 'a'.repeat(64), provider: 'DAGshared' };
  const others = (n: number) => rowPool.slice(0, n);
  const queries: PaidQuery[] = [
    { queryId: 'q-1', amount: 1_000n, rows: [row, ...others(3)] },
    { queryId: 'q-2', amount: 999n, rows: [...others(4), row] },
    { queryId: 'q-3', amount: 10n, rows: [row] },
  ];
  const a = allocateCycle({ queries, carriedIn: new Map(), feeBps: 1000, minPayout: 1n });
  const shared = a.providers.find((p) => p.provider === 'DAGshared');
  t.same(
    shared?.shares.map((s) => s.queryId),
    ['q-1', 'q-2', 'q-3'],
    'one share line per query that used the row',
  );
  // q-1: fee 100, 900 over 4 rows = 225 each; q-2: fee 99, 900 over 5 = 180 each; q-3: fee 1, 9 to the row
  t.same(
    shared?.shares.map((s) => s.amount),
    [225n, 180n, 9n],
  );
  t.equal(shared?.paid, 414n);
});

t.test('results do not depend on the order of queries, rows or carried balances', async (t) => {
  fc.assert(
    fc.property(inputArb, fc.integer(), (input, seed) => {
      const shuffle = <T>(xs: readonly T[], s: number): T[] => {
        const out = [...xs];
        let x = s | 1;
        for (let i = out.length - 1; i > 0; i--) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          const j = x % (i + 1);
          [out[i], out[j]] = [out[j] as T, out[i] as T];
        }
        return out;
      };
      const shuffled: AllocationInput = {
        ...input,
        queries: shuffle(input.queries, seed).map((q, i) => ({ ...q, rows: shuffle(q.rows, seed + i) })),
        carriedIn: new Map(shuffle([...input.carriedIn], seed + 7)),
      };
      const a = allocateCycle(input);
      const b = allocateCycle(shuffled);
      return (
        JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ===
        JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
      );
    }),
    { numRuns: 300 },
  );
  t.pass('order independent');
});

t.test('nobody is negative, and the minimum payout is honoured', async (t) => {
  fc.assert(
    fc.property(inputArb, (input) => {
      const a = allocateCycle(input);
      return a.providers.every(
        (p) =>
          p.paid >= 0n &&
          p.carriedOut >= 0n &&
          p.earned >= 0n &&
          p.shares.every((s) => s.amount >= 0n) &&
          (p.paid === 0n || p.paid >= input.minPayout) &&
          p.carriedOut < input.minPayout &&
          (p.paid === 0n || p.carriedOut === 0n) &&
          p.paid + p.carriedOut === p.carriedIn + p.earned,
      );
    }),
    { numRuns: 300 },
  );
  t.pass('no negatives');
});

t.test('worked example from docs/rewards.md', async (t) => {
  // fee 5% (500 bps), minimum payout 100; bob carries 40 and carol 30 in from earlier cycles.
  const r = (c: string, provider: string) => ({ commitment: c.repeat(64), provider });
  const a = allocateCycle({
    queries: [
      { queryId: 'q-b', amount: 200n, rows: [r('3', 'bob')] },
      { queryId: 'q-a', amount: 1_000n, rows: [r('1', 'alice'), r('2', 'alice'), r('3', 'bob')] },
    ],
    carriedIn: new Map([
      ['bob', 40n],
      ['carol', 30n],
    ]),
    feeBps: 500,
    minPayout: 100n,
  });
  t.equal(extraUnitsStart('q-a', 3), 2, 'q-a: the 2 extra units start at row 2 (commitment 33..), then wrap to row 0');
  t.same(
    a.fees.map((f) => [f.queryId, f.amount]),
    [
      ['q-a', 50n],
      ['q-b', 10n],
    ],
  );
  const view = a.providers.map((p) => [
    p.provider,
    p.carriedIn,
    p.shares.map((s) => [s.queryId, s.rows, s.amount]),
    p.paid,
    p.carriedOut,
  ]);
  t.same(view, [
    ['alice', 0n, [['q-a', 2, 633n]], 633n, 0n],
    [
      'bob',
      40n,
      [
        ['q-a', 1, 317n],
        ['q-b', 1, 190n],
      ],
      547n,
      0n,
    ],
    ['carol', 30n, [], 0n, 30n],
  ]);
  t.same(a.totals, { payments: 1200n, fees: 60n, earned: 1140n, payouts: 1180n, carriedIn: 70n, carriedOut: 30n });
});

t.test('refuses inconsistent input with a code', async (t) => {
  const base = { carriedIn: new Map<string, bigint>(), feeBps: 100, minPayout: 1n };
  const cases: [string, AllocationInput][] = [
    [
      'duplicate query',
      {
        ...base,
        queries: [
          { queryId: 'q', amount: 1n, rows: [] },
          { queryId: 'q', amount: 1n, rows: [] },
        ],
      },
    ],
    ['duplicate row', { ...base, queries: [{ queryId: 'q', amount: 1n, rows: [rowPool[0], rowPool[0]] as never }] }],
    ['negative amount', { ...base, queries: [{ queryId: 'q', amount: -1n, rows: [] }] }],
    ['fee over 100%', { ...base, feeBps: 10_001, queries: [] }],
    ['zero minimum payout', { ...base, minPayout: 0n, queries: [] }],
    ['negative carried', { ...base, carriedIn: new Map([['DAGx', -5n]]), queries: [] }],
  ];
  for (const [name, input] of cases) {
    let code: string | undefined;
    try {
      allocateCycle(input);
    } catch (e) {
      code = isProtocolError(e) ? e.code : String(e);
    }
    t.equal(code, 'GW_REWARD_BAD_INPUT', name);
  }
});
