// The second way to reach a paid query (issue 6: "a request signed by the payer's key"): instead of the bearer
// token, `Authorization: DgPayer <publicKey>:<unixSeconds>:<derSignature>` where the signature is dag4 data signing
// (as the MQTT connect token) over `dg-query:{queryId}:{unixSeconds}`, the key's address is the confirmed payment's
// payer, and the seconds are within 5 minutes of the gateway's clock. Nothing is stored: a lost token is no loss.
import { addressFromPublicKey, dataSignFast, type KeyPair, verifyDataFast } from '@datagraph/protocol';

export const PAYER_SKEW_SECONDS = 300;
const HEADER = /^DgPayer\s+([0-9a-f]{128,130}):(\d{1,12}):([0-9a-f]{16,144})$/i;

export function payerMessage(queryId: string, unixSeconds: number): string {
  return `dg-query:${queryId}:${unixSeconds}`;
}

/** The header value a researcher sends (the CLI or a script holding the paying wallet's key). */
export function payerAuthorization(
  payer: Pick<KeyPair, 'privateKey' | 'publicKey'>,
  queryId: string,
  nowMs: number,
): string {
  const s = Math.floor(nowMs / 1000);
  return `DgPayer ${payer.publicKey}:${s}:${dataSignFast(payer.privateKey, payerMessage(queryId, s))}`;
}

/** Whether `header` is a fresh signature over this query by the key of `payer`. */
export function verifyPayerAuthorization(
  header: string | undefined,
  queryId: string,
  payer: string,
  nowMs: number,
): boolean {
  const m = HEADER.exec(header ?? '');
  if (!m) return false;
  const [, publicKey, seconds, signature] = m as unknown as [string, string, string, string];
  if (Math.abs(Math.floor(nowMs / 1000) - Number(seconds)) > PAYER_SKEW_SECONDS) return false;
  try {
    if (addressFromPublicKey(publicKey.toLowerCase()) !== payer) return false;
    return verifyDataFast(publicKey.toLowerCase(), payerMessage(queryId, Number(seconds)), signature.toLowerCase());
  } catch {
    return false;
  }
}
