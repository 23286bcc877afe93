// Check one dataset row against the ledger (DESIGN.md section 3.5): the commitment is the hash of the body, the
// device key signed it, that key is the body's device, and the commitment sits in the entries Merkle tree of the
// snapshot the row names, whose root is taken from the LEDGER, never from the row.
import secp256k1 from 'secp256k1';
import { commitmentOf } from '../commitment.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { addressFromPublicKey } from '../keys.ts';
import { verifyMerkleProof } from '../merkle.ts';
import { verifyDataFast } from '../signing.ts';
import type { DatasetRow } from './DatasetRow.ts';
import { merkleProofShapeIsConsistent } from './merkleCompact.ts';

export interface DatasetProblem {
  code: ErrorCode;
  message: string;
}

/**
 * Every problem with a row; an empty list means it is genuine.
 * `ledgerRootForOrdinal` gives the `dataApplication.onChainState.entriesRoot` of the ledger's snapshot, or undefined
 * when the ledger has no such snapshot.
 *
 * @example
 * const roots = new Map([[12, snapshot.value.dataApplication.onChainState.entriesRoot]]);
 * const problems = verifyDatasetRow(row, (ordinal) => roots.get(ordinal));
 * if (problems.length) console.error(problems.map((p) => p.code));
 */
export function verifyDatasetRow(
  row: DatasetRow,
  ledgerRootForOrdinal: (ordinal: number) => string | undefined,
): DatasetProblem[] {
  const problems: DatasetProblem[] = [];
  if (commitmentOf(row.body) !== row.commitment)
    problems.push({ code: 'PR_COMMITMENT_MISMATCH', message: 'commitment is not SHA-256 of the canonical body' });
  if (!isStrictDer(row.proof.signature) || !verifyDataFast(row.proof.id, row.commitment, row.proof.signature))
    problems.push({ code: 'PR_BAD_SIGNATURE', message: 'device signature does not verify over the commitment' });
  if (addressFromPublicKey(row.proof.id) !== row.body.device)
    problems.push({ code: 'PR_SIGNER_MISMATCH', message: 'the signing key is not the address named as device' });
  const root = ledgerRootForOrdinal(row.ordinal);
  if (root === undefined) {
    problems.push({ code: 'PR_DATASET_SNAPSHOT_MISSING', message: `the ledger has no snapshot ${row.ordinal}` });
    return problems;
  }
  if (root !== row.entriesRoot)
    problems.push({
      code: 'PR_DATASET_ENTRIES_ROOT',
      message: `entries root in the row differs from snapshot ${row.ordinal}'s on the ledger`,
    });
  if (!merkleProofShapeIsConsistent(row.merkle) || !verifyMerkleProof(row.commitment, row.merkle, root))
    problems.push({
      code: 'PR_DATASET_MERKLE',
      message: `commitment is not proven in snapshot ${row.ordinal}'s entries root on the ledger`,
    });
  return problems;
}

/** DER that libsecp256k1 writes back unchanged: lax parsing would let a changed byte still verify. */
function isStrictDer(hex: string): boolean {
  try {
    const sig = secp256k1.signatureImport(Buffer.from(hex, 'hex'));
    return Buffer.from(secp256k1.signatureExport(sig)).toString('hex') === hex;
  } catch {
    return false;
  }
}
