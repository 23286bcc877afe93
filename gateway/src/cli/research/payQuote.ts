// Pay a quote from the researcher's own wallet with dag4's MetagraphTokenClient.transfer (DESIGN.md section 3
// step 3). dag4 takes a token number and floors amount x 1e8 itself; toDag4Amount hands it a number whose shortest
// text is exactly our decimal, and refuses a price dag4 could not carry to the base unit. The pending transaction
// the currency L1 holds is then read back and checked to the base unit.
import { type KeyPair, ProtocolError, parseBaseUnits, type Quote } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import { toDag4Amount } from '../../rewards/dag4Amount.ts';

export interface LedgerUrls {
  l0: string;
  l1: string;
  metagraphId: string;
}

export async function payQuote(key: KeyPair, quote: Quote, urls: LedgerUrls): Promise<string> {
  const price = parseBaseUnits(quote.price);
  let amount: number;
  try {
    amount = toDag4Amount(price);
  } catch (cause) {
    throw new ProtocolError('PR_BAD_AMOUNT', `${quote.price} base units cannot be paid exactly in one dag4 transfer`, {
      cause,
    });
  }
  const account = dag4.createAccount(key.privateKey);
  const client = dag4.createMetagraphTokenClient(account, {
    id: urls.metagraphId,
    metagraphId: urls.metagraphId,
    l0Url: urls.l0,
    l1Url: urls.l1,
    beUrl: urls.l0,
  } as never);
  const sent = (await client.transfer(quote.payTo, amount, 0)) as { hash: string } | undefined;
  if (!sent?.hash) throw new ProtocolError('GW_PAYMENT_REJECTED', 'the currency L1 gave no transaction hash');
  const pending = (await client.networkInstance.getPendingTransaction(sent.hash).catch(() => null)) as {
    transaction?: { value?: { amount?: number; destination?: string } };
  } | null;
  const v = pending?.transaction?.value;
  if (v && (BigInt(v.amount ?? -1) !== price || v.destination !== quote.payTo))
    throw new ProtocolError(
      'GW_PAYMENT_SHORT',
      `dag4 sent ${v.amount} base units to ${v.destination}, not ${price} to ${quote.payTo}`,
    );
  return sent.hash;
}
