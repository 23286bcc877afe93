// `datagraph researcher buy QUOTE_ID`: pay once, then open the query and wait while it is pending (DESIGN.md section
// 3 steps 3 and 4). The transfer's hash is saved before the query is asked for, so running buy again after a crash
// or a timeout never pays a second time: it asks the gateway about the payment it already made.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatTokens, type KeyPair, ProtocolError, parseBaseUnits, type QueryStatus } from '@datagraph/protocol';
import { type LedgerUrls, payQuote } from './payQuote.ts';
import type { ResearchApi } from './ResearchApi.ts';
import type { ResearcherState } from './ResearcherState.ts';

export interface BuyRequest {
  quoteId: string;
  api: ResearchApi;
  state: ResearcherState;
  loadKey: () => Promise<KeyPair>;
  ledger: LedgerUrls;
  /** How long to wait for a pending payment to confirm before giving up (the query stays; buy again to wait). */
  waitSeconds: number;
  pollMs?: number;
  log: (line: string) => void;
  now?: () => number;
}

export interface BuyResult {
  queryId: string;
  status: QueryStatus['status'];
  txHash: string;
  rows: number;
  providers: number;
  code?: string;
  message?: string;
}

export async function buyQuote(r: BuyRequest): Promise<BuyResult> {
  const now = r.now ?? Date.now;
  const quote = r.state.quote(r.quoteId);
  if (!quote) throw new ProtocolError('GW_QUOTE_NOT_FOUND', `no quote ${r.quoteId} in the state file: run quote first`);
  let txHash = r.state.payment(r.quoteId);
  if (txHash) r.log(`already paid for this quote: tx ${txHash}; asking the gateway about it, not paying again`);
  else {
    if (now() / 1000 > quote.expiresAt)
      throw new ProtocolError('GW_QUOTE_EXPIRED', 'the quote has expired: ask for a new one (nothing was paid)');
    const key = await r.loadKey();
    txHash = await payQuote(key, quote, r.ledger);
    r.state.savePayment(r.quoteId, txHash);
    const price = parseBaseUnits(quote.price);
    r.log(`paid ${formatTokens(price)} tokens (${price} base units) to ${quote.payTo}: tx ${txHash}`);
  }
  let saved = r.state.queryForQuote(r.quoteId);
  // a query already opened for this payment is asked about, never opened again (the gateway refuses a reused tx)
  let status = saved ? await r.api.query(saved.queryId, saved.token) : await r.api.createQuery(r.quoteId, txHash);
  if (!saved && status.token) {
    saved = {
      queryId: status.queryId,
      quoteId: r.quoteId,
      token: status.token,
      gateway: r.api.base,
      fields: quote.fields,
    };
    r.state.saveQuery(saved);
  }
  if (!saved)
    throw new ProtocolError(
      'GW_QUERY_UNAUTHORIZED',
      `query ${status.queryId} exists but its token is not in this state file (it is given once, to the first buy)`,
    );
  const deadline = now() + r.waitSeconds * 1000;
  while (status.status === 'pending' && now() < deadline) {
    r.log(`query ${status.queryId}: payment pending (${status.code ?? 'waiting for a snapshot'})`);
    await sleep(r.pollMs ?? 2000);
    status = await r.api.query(saved.queryId, saved.token);
  }
  return {
    queryId: status.queryId,
    status: status.status,
    txHash,
    rows: status.rows,
    providers: status.providers,
    ...(status.code ? { code: status.code } : {}),
    ...(status.message ? { message: status.message } : {}),
  };
}
