// What the researcher API keeps (DESIGN.md section 3), in the gateway's LevelDB:
//   rowidx    {cadence}!{provider}!{window start}!{id} -> RowRef: every committed row of this gateway with its
//             snapshot ordinal and Merkle proof (written when the outbox sees the snapshot; field names only)
//   quotes    {quoteId} -> QuoteRecord;  quoterows {quoteId}!{n} -> RowRef (the exact row set the quote prices)
//   queries   {queryId} -> QueryRecord;  querytx {txHash} -> queryId (one payment funds one query, invariant 4)
//   queryrows {queryId}!{n} -> RowRef: the usage, every row the query releases, recorded with the query
// It is also the paid-query source the rewards engine reads (docs/rewards.md "Interfaces").
import type { Cadence, FieldName, QueryState } from '@datagraph/protocol';
import type { PaidQuery } from '../rewards/allocateCycle.ts';
import type { PaidQuerySource } from '../rewards/planCycle.ts';
import type { GatewayStore, StoreOp } from '../store/GatewayStore.ts';

export interface RowRef {
  id: string;
  provider: string;
  commitment: string;
  cadence: Cadence;
  fields: FieldName[];
  start: number;
  end: number;
  /** Consent policy version the row was made under: rows at or below a revocation's version are never sold. */
  policyVersion?: number;
  ordinal: number;
  /** The row's Merkle proof in the snapshot's entries tree, compact text (`encodeMerkleCompact`): small to store and read. */
  merkle: string;
  entriesRoot: string;
}

export interface QuoteRecord {
  quoteId: string;
  fields: FieldName[];
  /** Every field the pinned rows carry (the CSV columns: a released body is whole, its commitment covers all). */
  columns: FieldName[];
  cadence: Cadence;
  rows: number;
  providers: number;
  price: string;
  payTo: string;
  expiresAt: number;
  createdAt: number;
}

export interface QueryRecord {
  queryId: string;
  quoteId: string;
  txHash: string;
  status: QueryState;
  code?: string;
  message?: string;
  /** SHA-256 of the bearer token (the token itself is shown once, at creation). */
  tokenHash: string;
  rows: number;
  providers: number;
  payment?: { amount: string; payer: string; ordinal: number };
  usageRoot?: string;
  receiptOrdinal?: number;
  distributedIn?: number;
  createdAt: number;
}

/** What a quote pins and a query records per row: slim, the proof stays in rowidx under `key`. */
export interface UsageRef {
  key: string;
  provider: string;
  id: string;
  commitment: string;
  policyVersion?: number;
}

export const usageRef = (r: RowRef): UsageRef => ({
  key: rowKey(r),
  provider: r.provider,
  id: r.id,
  commitment: r.commitment,
  ...(r.policyVersion === undefined ? {} : { policyVersion: r.policyVersion }),
});

/** The members of a RowRef a downloaded row carries. */
export type RowProof = Pick<RowRef, 'ordinal' | 'merkle' | 'entriesRoot'>;

const proofOf = (r: RowRef): RowProof => ({ ordinal: r.ordinal, merkle: r.merkle, entriesRoot: r.entriesRoot });

/**
 * The proof members out of a RowRef's JSON text (written by JSON.stringify: no whitespace; the keys are unique
 * and no string value holds a quote), or undefined if the text is not in that shape.
 */
export function proofFromText(t: string): RowProof | undefined {
  const o = t.indexOf('"ordinal":');
  const m = t.indexOf('"merkle":"');
  const e = t.indexOf('"entriesRoot":"');
  if (o < 0 || m < 0 || e < 0) return undefined;
  const oEnd = t.indexOf(',', o + 10);
  const mEnd = t.indexOf('"', m + 10);
  const ordinal = Number(t.slice(o + 10, oEnd));
  const entriesRoot = t.slice(e + 15, e + 79);
  if (!Number.isSafeInteger(ordinal) || ordinal < 0 || mEnd < 0 || t.charCodeAt(e + 79) !== 34) return undefined;
  return { ordinal, merkle: t.slice(m + 10, mEnd), entriesRoot };
}

const pad = (n: number, w = 12) => String(n).padStart(w, '0');

export function rowKey(r: Pick<RowRef, 'cadence' | 'provider' | 'start' | 'id'>): string {
  return `${r.cadence}!${r.provider}!${pad(r.start)}!${r.id}`;
}

export class ResearchStore implements PaidQuerySource {
  constructor(readonly store: GatewayStore) {}

  rowOps(rows: readonly RowRef[]): StoreOp[] {
    return rows.map((r) => ({ type: 'put', sub: 'rowidx', key: rowKey(r), value: r }));
  }

  /** A provider's committed rows at a cadence, by window start, within [from, to) of window starts. */
  async *rows(provider: string, cadence: Cadence, from?: number, to?: number): AsyncGenerator<[string, RowRef]> {
    const p = `${cadence}!${provider}!`;
    const range = { gte: `${p}${pad(from ?? 0)}`, lt: to === undefined ? `${p}\xff` : `${p}${pad(to)}` };
    // read in native chunks (nextv): a quote may walk hundreds of thousands of rows
    for await (const chunk of this.store.entryChunks<RowRef>('rowidx', range, 1000)) yield* chunk;
  }

  /** Every committed row (for catalogue counts). */
  allRows(): AsyncGenerator<[string, RowRef]> {
    return this.store.entries<RowRef>('rowidx');
  }

  /** Quote rows first (in chunks), the quote record last: a quote is visible only once all its rows are. */
  async putQuote(q: QuoteRecord, rows: readonly UsageRef[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 10_000)
      await this.store.write(this.quoteOps(q, rows.slice(i, i + 10_000), i));
    await this.store.write([{ type: 'put', sub: 'quotes', key: q.quoteId, value: q }]);
  }

  quoteOps(q: QuoteRecord, rows: readonly UsageRef[], first = 0): StoreOp[] {
    return [
      ...rows.map((r, n) => ({
        type: 'put' as const,
        sub: 'quoterows' as const,
        key: `${q.quoteId}!${pad(first + n, 9)}`,
        value: r,
      })),
    ];
  }

  quote(id: string): Promise<QuoteRecord | undefined> {
    return this.store.get<QuoteRecord>('quotes', id);
  }

  async *quoteRows(quoteId: string): AsyncGenerator<UsageRef> {
    for await (const [, r] of this.store.entries<UsageRef>('quoterows', { prefix: `${quoteId}!` })) yield r;
  }

  query(id: string): Promise<QueryRecord | undefined> {
    return this.store.get<QueryRecord>('queries', id);
  }

  queryIdForTx(txHash: string): Promise<string | undefined> {
    return this.store.get<string>('querytx', txHash);
  }

  putQueryOps(q: QueryRecord): StoreOp[] {
    return [
      { type: 'put', sub: 'queries', key: q.queryId, value: q },
      { type: 'put', sub: 'querytx', key: q.txHash, value: q.queryId },
    ];
  }

  usageOps(queryId: string, rows: readonly UsageRef[], first = 0): StoreOp[] {
    return rows.map((r, n) => ({
      type: 'put' as const,
      sub: 'queryrows' as const,
      key: `${queryId}!${pad(first + n, 9)}`,
      value: r,
    }));
  }

  /** The usage of a query from row `offset` on, in recorded order (a LevelDB iterator: nothing held in memory). */
  async *usage(queryId: string, offset = 0): AsyncGenerator<UsageRef> {
    const p = `${queryId}!`;
    for await (const [, r] of this.store.entries<UsageRef>('queryrows', {
      gte: `${p}${pad(offset, 9)}`,
      lt: `${p}\xff`,
    }))
      yield r;
  }

  /**
   * What the download needs of the committed-row records behind usage refs (snapshot ordinal, compact Merkle
   * proof, entriesRoot), in one multi-get, scanned out of the stored JSON text: parsing a million records into
   * objects is a large part of a download's garbage-collection work.
   */
  async rowProofs(refs: readonly UsageRef[]): Promise<(RowProof | undefined)[]> {
    const texts = await this.store.getManyText(
      'rowidx',
      refs.map((r) => r.key),
    );
    return texts.map((t) => (t === undefined ? undefined : (proofFromText(t) ?? proofOf(JSON.parse(t) as RowRef))));
  }

  /** The usage in chunks of up to `size` refs, from the first one on (the download's read path). */
  async *usageChunks(queryId: string, size: number): AsyncGenerator<UsageRef[]> {
    const p = `${queryId}!`;
    for await (const chunk of this.store.entryChunks<UsageRef>('queryrows', { gte: p, lt: `${p}\xff` }, size))
      yield chunk.map(([, r]) => r);
  }

  async *queries(): AsyncGenerator<QueryRecord> {
    for await (const [, q] of this.store.entries<QueryRecord>('queries')) yield q;
  }

  /** PaidQuerySource: complete (confirmed, recorded) queries not yet distributed, with every released row. */
  async *undistributed(): AsyncGenerator<PaidQuery> {
    for await (const q of this.queries()) {
      if (q.status !== 'complete' || q.distributedIn !== undefined || !q.payment) continue;
      const rows: { commitment: string; provider: string }[] = [];
      for await (const r of this.usage(q.queryId)) rows.push({ commitment: r.commitment, provider: r.provider });
      yield { queryId: q.queryId, amount: BigInt(q.payment.amount), rows };
    }
  }

  /** PaidQuerySource: idempotent. */
  async markDistributed(cycle: number, queryIds: readonly string[]): Promise<void> {
    const ops: StoreOp[] = [];
    for (const id of queryIds) {
      const q = await this.query(id);
      if (q && q.distributedIn === undefined)
        ops.push({ type: 'put', sub: 'queries', key: id, value: { ...q, distributedIn: cycle } });
    }
    if (ops.length > 0) await this.store.write(ops);
  }
}
