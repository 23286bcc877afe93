// The canonical JSON of a signed data update `{value, proofs}` from the canonical JSON of its value, so that a
// large value (an ingest batch of thousands of entries) is canonicalized once for its signature and its hash.
import { canonicalJson } from './canonical.ts';
import type { SignatureProof } from './signing.ts';

/**
 * Exactly `canonicalJson({ value, proofs })` when `valueText` is `canonicalJson(value)`: RFC 8785 sorts the two
 * members by name, and "proofs" sorts before "value".
 */
export function signedDataUpdateText(valueText: string, proofs: readonly SignatureProof[]): string {
  return `{"proofs":${canonicalJson(proofs)},"value":${valueText}}`;
}
