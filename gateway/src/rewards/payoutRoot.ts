// The RewardCycle receipt's payout root (DESIGN.md section 4): merkleRoot over the commitments of the cycle's
// canonical payout lines, one per paid provider in address order. A provider proves their payout with
// merkleProof(leaves, index) and the line itself, checked against the root on the ledger.
import { canonicalJson, merkleRoot, sha256Hex } from '@datagraph/protocol';

export interface PayoutLine {
  gateway: string;
  cycle: number;
  provider: string;
  /** Base units, decimal string. */
  amount: string;
}

/** SHA-256 of the line's RFC 8785 JSON: the Merkle leaf. */
export function payoutLineCommitment(line: PayoutLine): string {
  return sha256Hex(canonicalJson(line));
}

/** Lines for the paid providers, in provider address order (the order of the leaves). */
export function payoutLines(
  gateway: string,
  cycle: number,
  payouts: readonly { provider: string; paid: bigint }[],
): PayoutLine[] {
  return payouts
    .filter((p) => p.paid > 0n)
    .map((p) => ({ gateway, cycle, provider: p.provider, amount: p.paid.toString() }))
    .sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0));
}

export function payoutRoot(lines: readonly PayoutLine[]): string {
  return merkleRoot(lines.map(payoutLineCommitment));
}
