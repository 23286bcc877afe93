// A currency L1 transaction as dag4 2.8.x posts it (dag4-keystore `PostTransactionV2`) and Tessellation
// decodes it (`Signed[Transaction]`): amount PosLong, fee NonNegLong, salt Long, parent {hash, ordinal}.
import { DagAddress, SignatureProof } from '@datagraph/protocol';
import { z } from 'zod';

/** Tessellation's `Hash.empty`: the parent of an address's first transaction. */
export const EMPTY_HASH = '0'.repeat(64);

const MAX_LONG = 2n ** 63n - 1n;

/** A JSON integer (dag4 sends numbers) or a decimal string (dag4 sends the salt as one). */
const IntegerLike = z.union([z.number(), z.string()]);

export const TransactionReference = z
  .object({
    hash: z.string().regex(/^([0-9a-f]{64}|)$/, 'expected a 64-hex-char hash'),
    ordinal: z.number().int().nonnegative(),
  })
  .strict();
export type TransactionReference = z.infer<typeof TransactionReference>;

export const TransactionValue = z
  .object({
    source: DagAddress,
    destination: DagAddress,
    amount: IntegerLike,
    fee: IntegerLike,
    parent: TransactionReference,
    salt: IntegerLike,
  })
  .strict();
export type TransactionValue = z.infer<typeof TransactionValue>;

export const SignedTransaction = z
  .object({ value: TransactionValue, proofs: z.array(SignatureProof).min(1).max(8) })
  .strict();
export type SignedTransaction = z.infer<typeof SignedTransaction>;

/** An integer-like JSON value as a bigint, or null when it is fractional, non-numeric or out of Long range. */
export function toLong(value: number | string): bigint | null {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return null;
    return BigInt(value);
  }
  if (!/^-?(0|[1-9][0-9]{0,18})$/.test(value)) return null;
  const n = BigInt(value);
  return n > MAX_LONG || n < -MAX_LONG - 1n ? null : n;
}
