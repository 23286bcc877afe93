// One rewards cycle's allocation (DESIGN.md section 4): pure, deterministic, exact to the base unit.
//
// Per query: fee = floor(amount * feeBps / 10000); the rest is split equally over the query's rows by the
// largest remainder method. With an equal split every row has the same quota, so every fractional part ties
// and the tie-break decides: the `net mod n` extra units go to consecutive rows in commitment order,
// starting at offset `extraUnitsStart(queryId, n)` and wrapping (so the extra units do not always land on
// the lowest commitments). Per provider: the sum of its rows' shares over every query, plus the balance
// carried in from earlier cycles; a total under the minimum payout is carried to the next cycle.
//
// Conservation, checked on every call: payments + carriedIn = payouts + fees + carriedOut.
// Summed over every cycle since the first this is DESIGN.md's sum(payments) = sum(payouts) + sum(fees)
// + sum(carried), where `carried` is the balance still owed (the last cycle's carried-out).
import { createHash } from 'node:crypto';
import { ProtocolError } from '@datagraph/protocol';

export interface PaidQueryRow {
  /** The row's commitment (64 hex): a row is used at most once per query. */
  commitment: string;
  /** DAG address of the provider whose row it is. */
  provider: string;
}

/** A paid, confirmed query not yet distributed: what the query store hands the rewards engine. */
export interface PaidQuery {
  queryId: string;
  /** Payment in base units. */
  amount: bigint;
  rows: readonly PaidQueryRow[];
}

export interface AllocationInput {
  queries: readonly PaidQuery[];
  /** Balances carried in from earlier cycles, by provider (zero entries may be left out). */
  carriedIn: ReadonlyMap<string, bigint>;
  /** Platform fee in basis points, 0..10000. */
  feeBps: number;
  /** Smallest amount paid out, at least 1 base unit. */
  minPayout: bigint;
}

/** What one provider earned from one query. */
export interface QueryShare {
  queryId: string;
  rows: number;
  amount: bigint;
}

export interface ProviderAllocation {
  provider: string;
  carriedIn: bigint;
  /** In queryId order. */
  shares: QueryShare[];
  /** Sum of `shares`. */
  earned: bigint;
  /** Paid in this cycle: carriedIn + earned when that reaches the minimum payout, else 0. */
  paid: bigint;
  /** Carried to the next cycle: carriedIn + earned when under the minimum payout, else 0. */
  carriedOut: bigint;
}

export interface AllocationTotals {
  payments: bigint;
  fees: bigint;
  earned: bigint;
  payouts: bigint;
  carriedIn: bigint;
  carriedOut: bigint;
}

export interface CycleAllocation {
  /** Every provider with a share or a carried balance, in address order. */
  providers: ProviderAllocation[];
  /** The platform fee of each query, in queryId order. */
  fees: { queryId: string; amount: bigint }[];
  /** The queries distributed, in queryId order. */
  queryIds: string[];
  totals: AllocationTotals;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where the extra units of a query start among its rows in commitment order: sha256(queryId)[0..6] mod n. */
export function extraUnitsStart(queryId: string, rowCount: number): number {
  const h = createHash('sha256').update(queryId, 'utf8').digest();
  return h.readUIntBE(0, 6) % rowCount;
}

function bad(message: string, details: Record<string, unknown>): ProtocolError {
  return new ProtocolError('GW_REWARD_BAD_INPUT', message, { details });
}

/** The query's rows in commitment order (no copy when they already are, as a store usually keeps them). */
function inCommitmentOrder(q: PaidQuery): readonly PaidQueryRow[] {
  let rows = q.rows;
  for (let pass = 0; pass < 2; pass++) {
    let sorted = true;
    for (let r = 1; r < rows.length; r++) {
      const c = compare((rows[r - 1] as PaidQueryRow).commitment, (rows[r] as PaidQueryRow).commitment);
      if (c === 0)
        throw bad('a row is listed twice in one query', { queryId: q.queryId, commitment: rows[r]?.commitment });
      if (c > 0) {
        sorted = false;
        break;
      }
    }
    if (sorted) return rows;
    rows = [...rows].sort((a, b) => compare(a.commitment, b.commitment));
  }
  return rows;
}

export function allocateCycle(input: AllocationInput): CycleAllocation {
  const { feeBps, minPayout } = input;
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > 10_000)
    throw bad('feeBps must be an integer 0..10000', { feeBps });
  if (minPayout < 1n) throw bad('the minimum payout must be at least 1 base unit', { minPayout: String(minPayout) });
  const bps = BigInt(feeBps);

  const byProvider = new Map<string, ProviderAllocation>();
  const acc = (provider: string): ProviderAllocation => {
    let p = byProvider.get(provider);
    if (!p) {
      p = { provider, carriedIn: 0n, shares: [], earned: 0n, paid: 0n, carriedOut: 0n };
      byProvider.set(provider, p);
    }
    return p;
  };
  const totals: AllocationTotals = { payments: 0n, fees: 0n, earned: 0n, payouts: 0n, carriedIn: 0n, carriedOut: 0n };
  for (const [provider, amount] of input.carriedIn) {
    if (amount < 0n) throw bad('a carried balance is negative', { provider, amount: String(amount) });
    if (amount === 0n) continue;
    acc(provider).carriedIn = amount;
    totals.carriedIn += amount;
  }

  const queries = [...input.queries].sort((a, b) => compare(a.queryId, b.queryId));
  const fees: CycleAllocation['fees'] = [];
  const queryIds: string[] = [];
  const perQuery = new Map<string, { rows: number; amount: bigint }>();
  for (const [i, q] of queries.entries()) {
    if (i > 0 && queries[i - 1]?.queryId === q.queryId) throw bad('a query is listed twice', { queryId: q.queryId });
    if (q.amount < 0n) throw bad('a query amount is negative', { queryId: q.queryId });
    queryIds.push(q.queryId);
    totals.payments += q.amount;
    const rows = inCommitmentOrder(q);
    const n = BigInt(rows.length);
    // A query with no rows releases nothing and has nobody to pay: all of it stays with the platform.
    const fee = n === 0n ? q.amount : (q.amount * bps) / 10_000n;
    fees.push({ queryId: q.queryId, amount: fee });
    totals.fees += fee;
    if (n === 0n) continue;
    const net = q.amount - fee;
    const quota = net / n;
    const extra = Number(net % n);
    const start = extra === 0 ? 0 : extraUnitsStart(q.queryId, rows.length);
    perQuery.clear();
    for (const [r, row] of rows.entries()) {
      const amount = quota + ((r - start + rows.length) % rows.length < extra ? 1n : 0n);
      const s = perQuery.get(row.provider);
      if (s) {
        s.rows++;
        s.amount += amount;
      } else perQuery.set(row.provider, { rows: 1, amount });
    }
    for (const [provider, s] of perQuery) {
      const p = acc(provider);
      p.shares.push({ queryId: q.queryId, rows: s.rows, amount: s.amount });
      p.earned += s.amount;
      totals.earned += s.amount;
    }
  }

  const providers = [...byProvider.values()].sort((a, b) => compare(a.provider, b.provider));
  for (const p of providers) {
    const owed = p.carriedIn + p.earned;
    if (owed >= minPayout) p.paid = owed;
    else p.carriedOut = owed;
    totals.payouts += p.paid;
    totals.carriedOut += p.carriedOut;
  }
  // A guard, not a test: an allocation that does not conserve value must never reach the journal.
  if (totals.payments + totals.carriedIn !== totals.payouts + totals.fees + totals.carriedOut) {
    throw new ProtocolError('GW_INTERNAL', 'rewards allocation does not conserve value', {
      details: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, String(v)])),
    });
  }
  return { providers, fees, queryIds, totals };
}
