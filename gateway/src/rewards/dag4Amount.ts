// dag4 2.8.1 takes transfer amounts as token numbers (floats) and turns them into base units itself:
// keyStore.prepareTx does `Math.floor(new BigNumber(amount).multipliedBy(1e8).toNumber())`, and BigNumber
// reads a JS number through its shortest round-trip decimal text. We hold bigint base units, so:
// - the number we hand dag4 is parsed from the exact decimal token text (formatTokens), never computed in floats;
// - any decimal of at most 15 significant digits survives text -> double -> shortest text unchanged (IEEE 754
//   doubles carry 15.95 decimal digits), so below 10^15 base units dag4 gets back exactly our decimal, and
//   decimal * 1e8 is an integer under 2^53, which toNumber and floor keep as is;
// - above that we refuse (callers split the payout), and the signed transaction's amount is checked again
//   against the bigint after dag4 built it (TreasuryClient).
import { formatTokens, ProtocolError } from '@datagraph/protocol';

/** The largest single transfer we hand to dag4: 10^15 - 1 base units (just under 10,000,000 tokens). */
export const MAX_DAG4_TRANSFER = 999_999_999_999_999n;

/** The token number to give dag4 for `baseUnits`; refuses amounts dag4 could not carry exactly. */
export function toDag4Amount(baseUnits: bigint): number {
  if (baseUnits < 1n || baseUnits > MAX_DAG4_TRANSFER) {
    throw new ProtocolError(
      'GW_REWARD_AMOUNT_UNREPRESENTABLE',
      `${baseUnits} base units is outside 1..${MAX_DAG4_TRANSFER}`,
    );
  }
  const tokens = Number(formatTokens(baseUnits));
  // What dag4 will compute, done exactly: the shortest decimal text of `tokens` must be our decimal.
  if (fromShortestText(tokens) !== baseUnits) {
    throw new ProtocolError(
      'GW_REWARD_AMOUNT_UNREPRESENTABLE',
      `${baseUnits} base units does not round-trip through a float`,
    );
  }
  return tokens;
}

/** Base units dag4 would derive from a token number (exactly, via the number's shortest decimal text). */
export function fromShortestText(tokens: number): bigint {
  // Number#toString gives the shortest round-trip text; it may use exponent notation (1e-8, 1.5e-7).
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(tokens.toString());
  if (!m) throw new ProtocolError('GW_REWARD_AMOUNT_UNREPRESENTABLE', `unexpected number text ${tokens}`);
  const digits = `${m[1]}${m[2] ?? ''}`;
  const exp = Number(m[3] ?? 0) - (m[2]?.length ?? 0) + 8; // scale to base units
  if (exp >= 0) return BigInt(digits) * 10n ** BigInt(exp);
  const div = 10n ** BigInt(-exp);
  return BigInt(digits) / div; // floor, as dag4 does
}

/** Split a payout into transfers dag4 can carry exactly (almost always one). */
export function splitForDag4(baseUnits: bigint): bigint[] {
  const parts: bigint[] = [];
  let left = baseUnits;
  while (left > MAX_DAG4_TRANSFER) {
    parts.push(MAX_DAG4_TRANSFER);
    left -= MAX_DAG4_TRANSFER;
  }
  if (left > 0n) parts.push(left);
  return parts;
}
