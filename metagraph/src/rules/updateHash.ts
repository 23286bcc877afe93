// The identity of a data update: SHA-256 (hex) of the RFC 8785 canonical JSON of the whole signed update,
// `{value, proofs}`, proofs in the order sent. Nodes key status routes and dedupe by it.
import { type SignedDataUpdate, sha256Hex } from '@datagraph/protocol';
import { canonicalText } from './canonicalText.ts';

export function updateHash(signed: SignedDataUpdate): string {
  return sha256Hex(canonicalText(signed));
}
