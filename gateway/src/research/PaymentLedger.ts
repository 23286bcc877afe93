// Where a researcher's payment stands on the ledger, over the node's plain HTTP API (DESIGN.md section 5):
// a signed transaction is forwarded to the currency L1 (`POST /transactions`, dag4 v2 shape; the researcher's
// wallet signed it, the gateway never holds that key), and a payment counts only once the block explorer
// (`GET /currency/{metagraphId}/transactions/{hash}`, dag4's own confirmation check) shows it in a snapshot.
import { ProtocolError, type SignedTransaction } from '@datagraph/protocol';

export interface ConfirmedPayment {
  hash: string;
  source: string;
  destination: string;
  amount: bigint;
  /** Snapshot that confirmed it, and when (ms since the epoch). */
  ordinal: number;
  confirmedAt: number;
}

export interface PaymentLedgerUrls {
  l1Url: string;
  beUrl: string;
  metagraphId: string;
  timeoutMs: number;
}

export class PaymentLedger {
  constructor(private readonly urls: PaymentLedgerUrls) {}

  /** Forward a signed transaction; resolves with its hash. The L1's refusal becomes GW_PAYMENT_REJECTED. */
  async forward(tx: SignedTransaction): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.urls.l1Url}/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(tx),
        signal: AbortSignal.timeout(this.urls.timeoutMs),
      });
    } catch (e) {
      throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `currency L1 did not answer: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const body = (await res.json().catch(() => ({}))) as { hash?: string; code?: string; message?: string };
    if (res.status >= 500) throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `currency L1 answered ${res.status}`);
    if (!res.ok || typeof body.hash !== 'string')
      throw new ProtocolError(
        'GW_PAYMENT_REJECTED',
        `currency L1 refused the transaction: ${body.code ?? res.status} ${body.message ?? ''}`.trim(),
        {
          details: { ledgerCode: body.code ?? null },
        },
      );
    return body.hash;
  }

  /** The payment once a snapshot confirmed it; undefined while it is pending or unknown. */
  async confirmed(hash: string): Promise<ConfirmedPayment | undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.urls.beUrl}/currency/${this.urls.metagraphId}/transactions/${hash}`, {
        signal: AbortSignal.timeout(this.urls.timeoutMs),
      });
    } catch (e) {
      throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `block explorer did not answer: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `block explorer answered ${res.status}`);
    const { data } = (await res.json()) as {
      data: {
        hash: string;
        source: string;
        destination: string;
        amount: number | string;
        snapshotOrdinal: number;
        timestamp: string;
      };
    };
    return {
      hash: data.hash,
      source: data.source,
      destination: data.destination,
      amount: BigInt(data.amount),
      ordinal: data.snapshotOrdinal,
      confirmedAt: Date.parse(data.timestamp),
    };
  }
}
