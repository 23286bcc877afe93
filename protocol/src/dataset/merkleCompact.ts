// Compact text form of a Merkle proof for one CSV cell: `index/size/` then each step from the leaf up as
// `l<hash>` (sibling on the left) or `r<hash>`, joined by '.'. No comma or quote, so the cell never needs quoting.
import { ProtocolError } from '../errors/ProtocolError.ts';
import type { MerkleProof } from '../merkle.ts';

const COMPACT = /^(0|[1-9][0-9]*)\/([1-9][0-9]*)\/((?:[lr][0-9a-f]{64})(?:\.[lr][0-9a-f]{64})*)?$/;

export function encodeMerkleCompact(proof: MerkleProof): string {
  let out = `${proof.index}/${proof.size}/`;
  for (let i = 0; i < proof.path.length; i++) {
    const step = proof.path[i] as MerkleProof['path'][number];
    out += `${i === 0 ? '' : '.'}${step.left ? 'l' : 'r'}${step.hash}`;
  }
  return out;
}

export function decodeMerkleCompact(text: string): MerkleProof {
  const m = COMPACT.exec(text);
  if (!m) throw new ProtocolError('PR_DATASET_MALFORMED', 'merkle_proof is not index/size/[lr]hash.[lr]hash...');
  const index = Number(m[1]);
  const size = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size))
    throw new ProtocolError('PR_DATASET_MALFORMED', 'merkle_proof index or size is too large');
  const path = m[3] ? m[3].split('.').map((s) => ({ hash: s.slice(1), left: s[0] === 'l' })) : [];
  return { index, size, path };
}

/**
 * Whether the path has the shape the tree of `size` leaves gives leaf `index` (merkle.ts carries an odd node up
 * without a sibling). `verifyMerkleProof` reads only the path, so without this check a changed index or size would
 * go unnoticed.
 */
export function merkleProofShapeIsConsistent(proof: MerkleProof): boolean {
  if (proof.index >= proof.size) return false;
  let i = proof.index;
  let width = proof.size;
  let step = 0;
  while (width > 1) {
    const sib = i % 2 === 0 ? i + 1 : i - 1;
    if (sib < width) {
      const s = proof.path[step];
      if (s === undefined || s.left !== sib < i) return false;
      step++;
    }
    i = Math.floor(i / 2);
    width = Math.ceil(width / 2);
  }
  return step === proof.path.length;
}
