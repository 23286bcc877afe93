// The identity of a data update: SHA-256 (hex) of the RFC 8785 canonical JSON of the whole signed update,
// `{value, proofs}`, proofs in the order sent. Nodes key status routes and dedupe by it.
import { canonicalJson, type SignedDataUpdate, sha256Hex } from '@datagraph/protocol';

export function updateHash(signed: SignedDataUpdate): string {
  return sha256Hex(canonicalJson(signed));
}
