// Paid queries (DESIGN.md section 3 steps 3, 4 and 6; invariants 4, 6 and 7). A query is bound to its payment
// the moment it is created (querytx: one transaction funds at most one query, checked and written under one
// lock, atomically with the query record). It releases data only once a snapshot confirms the payment, to the
// quote's payTo, for at least the price, before the quote expired. Then, in one atomic write, the query turns
// `complete` with its usage (every released row's commitment, recorded in chunks beforehand under keys nothing
// reads until the record names them) and its QueryReceipt joins the ledger outbox.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type Clock,
  type ErrorCode,
  errorCatalogue,
  type KeyPair,
  merkleRoot,
  ProtocolError,
  type QueryReceipt,
  type QueryRequest,
  type QueryStatus,
  signValue,
} from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { LedgerOutbox } from '../ledger/LedgerOutbox.ts';
import type { Registry } from '../registry/Registry.ts';
import { rowLive } from './CatalogCounts.ts';
import type { DatasetState } from './DatasetPreparer.ts';
import type { PaymentLedger } from './PaymentLedger.ts';
import { verifyPayerAuthorization } from './payerAuthorization.ts';
import type { QueryRecord, QuoteRecord, ResearchStore, UsageRef } from './ResearchStore.ts';

export interface QueryOptions {
  minProviders: number;
  paymentWaitMs: number;
  paymentPollMs: number;
  paymentGiveUpMs: number;
}

export interface QueryDeps {
  research: ResearchStore;
  registry: Registry;
  payments: PaymentLedger;
  outbox: LedgerOutbox;
  gatewayKey: KeyPair;
  clock: Clock;
  log: Logger;
  opts: QueryOptions;
  /** Prepares a complete query's dataset for its downloads (DatasetPreparer). */
  datasets?: { schedule(queryId: string, rows: number): void; state(queryId: string): DatasetState };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function queryStatus(q: QueryRecord, token?: string, dataset?: DatasetState): QueryStatus {
  return {
    queryId: q.queryId,
    quoteId: q.quoteId,
    status: q.status,
    txHash: q.txHash,
    rows: q.rows,
    providers: q.providers,
    ...(q.code ? { code: q.code } : {}),
    ...(q.message ? { message: q.message } : {}),
    ...(q.payment ? { payment: q.payment } : {}),
    receipt:
      q.status !== 'complete'
        ? { status: 'none' }
        : q.receiptOrdinal !== undefined
          ? { status: 'committed', ordinal: q.receiptOrdinal, ...(q.usageRoot ? { usageRoot: q.usageRoot } : {}) }
          : { status: 'queued', ...(q.usageRoot ? { usageRoot: q.usageRoot } : {}) },
    ...(q.status === 'complete' && dataset ? { dataset } : {}),
    ...(token ? { token } : {}),
  };
}

export class QueryService {
  readonly #d: QueryDeps;
  /** One settlement per query at a time; one creation per transaction at a time. */
  readonly #settling = new Map<string, Promise<QueryRecord>>();
  readonly #txLocks = new Map<string, Promise<unknown>>();
  readonly #timers = new Map<string, { cancel(): void }>();
  #closed = false;

  constructor(d: QueryDeps) {
    this.#d = d;
  }

  /** Resume pending queries after a restart. */
  async start(): Promise<void> {
    for await (const q of this.#d.research.queries()) if (q.status === 'pending') this.#schedule(q.queryId);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  /** POST /v1/queries. `created` tells 201 from a repeated POST of a pending query. */
  async create(req: QueryRequest): Promise<{ status: QueryStatus; created: boolean }> {
    const { research, payments } = this.#d;
    const quote = await research.quote(req.quoteId);
    if (!quote) throw new ProtocolError('GW_QUOTE_NOT_FOUND');
    const txHash =
      req.txHash ?? (await payments.forward(req.signedTransaction as NonNullable<typeof req.signedTransaction>));
    const bound = await this.#withTxLock(txHash, async () => {
      const existing = await research.queryIdForTx(txHash);
      if (existing !== undefined) {
        const q = (await research.query(existing)) as QueryRecord;
        if (q.quoteId === quote.quoteId && q.status === 'pending') return { q, token: undefined };
        throw new ProtocolError('GW_PAYMENT_REUSED', undefined, { details: { queryId: q.queryId } });
      }
      const token = randomBytes(32).toString('base64url');
      const q: QueryRecord = {
        queryId: randomUUID(),
        quoteId: quote.quoteId,
        txHash,
        status: 'pending',
        tokenHash: sha256(token),
        rows: 0,
        providers: 0,
        createdAt: this.#d.clock.now(),
      };
      await research.store.write(research.putQueryOps(q));
      return { q, token };
    });
    const settled = await this.#settleWithin(bound.q.queryId, this.#d.opts.paymentWaitMs);
    if (settled.status === 'pending') this.#schedule(settled.queryId);
    return {
      status: queryStatus(settled, bound.token, this.datasetState(settled.queryId)),
      created: bound.token !== undefined,
    };
  }

  /** Whether the query's downloads read a prepared dataset yet. */
  datasetState(queryId: string): DatasetState | undefined {
    return this.#d.datasets?.state(queryId);
  }

  /** GET /v1/queries/{id}: a pending query is checked once more before answering. */
  async get(queryId: string, authorization: string | undefined): Promise<QueryRecord> {
    const q = await this.authorize(queryId, authorization);
    if (q.status !== 'pending') return q;
    return this.#settle(queryId);
  }

  /**
   * The query when `authorization` is `Bearer <its token>`, or `DgPayer ...` signed by the confirmed payment's
   * payer (payerAuthorization.ts); GW_QUERY_NOT_FOUND / GW_QUERY_UNAUTHORIZED otherwise.
   */
  async authorize(queryId: string, authorization: string | undefined): Promise<QueryRecord> {
    const q = await this.#d.research.query(queryId);
    if (!q) throw new ProtocolError('GW_QUERY_NOT_FOUND');
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (timingSafeEqual(Buffer.from(sha256(bearer), 'hex'), Buffer.from(q.tokenHash, 'hex'))) return q;
    } else if (q.payment && verifyPayerAuthorization(authorization, queryId, q.payment.payer, this.#d.clock.now())) {
      return q;
    }
    throw new ProtocolError('GW_QUERY_UNAUTHORIZED');
  }

  /** Called when the outbox sees the query's receipt in a snapshot. */
  async receiptCommitted(queryId: string, ordinal: number): Promise<void> {
    const q = await this.#d.research.query(queryId);
    if (q)
      await this.#d.research.store.write([
        { type: 'put', sub: 'queries', key: queryId, value: { ...q, receiptOrdinal: ordinal } },
      ]);
  }

  async #withTxLock<T>(txHash: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#txLocks.get(txHash) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#txLocks.set(txHash, tail);
    void tail.then(() => {
      if (this.#txLocks.get(txHash) === tail) this.#txLocks.delete(txHash);
    });
    return run;
  }

  async #settleWithin(queryId: string, waitMs: number): Promise<QueryRecord> {
    const deadline = this.#d.clock.now() + waitMs;
    for (;;) {
      const q = await this.#settle(queryId);
      if (q.status !== 'pending' || this.#d.clock.now() >= deadline || this.#closed) return q;
      await new Promise<void>((r) => this.#d.clock.setTimeout(r, this.#d.opts.paymentPollMs));
    }
  }

  #schedule(queryId: string): void {
    if (this.#closed || this.#timers.has(queryId)) return;
    this.#timers.set(
      queryId,
      this.#d.clock.setTimeout(() => {
        this.#timers.delete(queryId);
        void this.#settle(queryId)
          .then((q) => {
            if (q.status === 'pending') this.#schedule(queryId);
          })
          .catch((e) => {
            this.#d.log.warn({ queryId, err: (e as Error).message }, 'query: settlement failed, will retry');
            this.#schedule(queryId);
          });
      }, this.#d.opts.paymentPollMs),
    );
  }

  #settle(queryId: string): Promise<QueryRecord> {
    const running = this.#settling.get(queryId);
    if (running) return running;
    const p = this.#settleOnce(queryId).finally(() => this.#settling.delete(queryId));
    this.#settling.set(queryId, p);
    return p;
  }

  async #settleOnce(queryId: string): Promise<QueryRecord> {
    const { research, payments, clock } = this.#d;
    const q = (await research.query(queryId)) as QueryRecord;
    if (q.status !== 'pending') return q;
    const quote = (await research.quote(q.quoteId)) as QuoteRecord;
    let paid: Awaited<ReturnType<PaymentLedger['confirmed']>>;
    try {
      paid = await payments.confirmed(q.txHash);
    } catch (e) {
      this.#d.log.warn({ queryId, err: (e as Error).message }, 'query: ledger unavailable while checking payment');
      paid = undefined;
    }
    if (!paid) {
      if (clock.now() - q.createdAt > this.#d.opts.paymentGiveUpMs)
        return this.#refuse(q, 'GW_PAYMENT_PENDING', 'no snapshot confirmed the payment in time; the query is closed');
      return { ...q, code: 'GW_PAYMENT_PENDING', message: errorCatalogue.GW_PAYMENT_PENDING.message };
    }
    if (paid.destination !== quote.payTo)
      return this.#refuse(
        q,
        'GW_PAYMENT_WRONG_DESTINATION',
        `the payment went to ${paid.destination}, not ${quote.payTo}`,
      );
    if (paid.amount < BigInt(quote.price))
      return this.#refuse(
        q,
        'GW_PAYMENT_SHORT',
        `the payment is ${paid.amount} base units; the quote costs ${quote.price}`,
      );
    if (Math.floor(paid.confirmedAt / 1000) > quote.expiresAt)
      return this.#refuse(q, 'GW_QUOTE_EXPIRED', 'the payment confirmed after the quote expired');
    return this.#record(q, quote, paid);
  }

  async #refuse(q: QueryRecord, code: ErrorCode, message: string): Promise<QueryRecord> {
    const next: QueryRecord = { ...q, status: 'refused', code, message };
    await this.#d.research.store.write([{ type: 'put', sub: 'queries', key: q.queryId, value: next }]);
    this.#d.log.info({ queryId: q.queryId, code }, 'query refused');
    return next;
  }

  /** Record the usage and the receipt: rows of providers who revoked or erased since the quote are never released. */
  async #record(
    q: QueryRecord,
    quote: QuoteRecord,
    paid: NonNullable<Awaited<ReturnType<PaymentLedger['confirmed']>>>,
  ): Promise<QueryRecord> {
    const { research, registry, outbox, gatewayKey } = this.#d;
    const commitments: string[] = [];
    const providers = new Set<string>();
    let chunk: UsageRef[] = [];
    let n = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await research.store.write(research.usageOps(q.queryId, chunk, n - chunk.length));
      chunk = [];
    };
    for await (const r of research.quoteRows(quote.quoteId)) {
      if (!rowLive(r, registry.provider(r.provider))) continue;
      chunk.push(r);
      commitments.push(r.commitment);
      providers.add(r.provider);
      n++;
      if (chunk.length >= 10_000) await flush();
    }
    await flush();
    if (providers.size < this.#d.opts.minProviders)
      return this.#refuse(
        q,
        'GW_QUOTE_BELOW_K',
        `only ${providers.size} providers of the quote still share; at least ${this.#d.opts.minProviders} are required`,
      );
    const usageRoot = merkleRoot(commitments);
    const receipt: QueryReceipt = {
      type: 'QueryReceipt',
      v: 1,
      gateway: gatewayKey.address,
      query: q.queryId,
      usageRoot,
      rows: n,
      providers: providers.size,
      payment: { txHash: q.txHash, amount: paid.amount.toString(), payer: paid.source },
    };
    const signed = { value: receipt, proofs: [signValue(gatewayKey.privateKey, gatewayKey.publicKey, receipt)] };
    const { ops, item } = outbox.enqueueOps(signed);
    const next: QueryRecord = {
      ...q,
      status: 'complete',
      rows: n,
      providers: providers.size,
      usageRoot,
      payment: { amount: paid.amount.toString(), payer: paid.source, ordinal: paid.ordinal },
    };
    delete next.code;
    delete next.message;
    await research.store.write([{ type: 'put', sub: 'queries', key: q.queryId, value: next }, ...ops]);
    outbox.added([item]);
    this.#d.log.info({ queryId: q.queryId, rows: n, providers: providers.size }, 'query paid and recorded');
    this.#d.datasets?.schedule(q.queryId, n);
    return next;
  }
}
