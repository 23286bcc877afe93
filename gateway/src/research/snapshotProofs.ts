// Every leaf's Merkle proof in one pass over a snapshot's entries tree. protocol's `merkleProof` rebuilds the
// tree for each leaf (O(n log n) per proof); a snapshot can carry hundreds of thousands of entries, so the
// gateway builds the levels once when the outbox sees the snapshot and stores each row's proof
// (DESIGN.md section 3 step 5). Same tree as protocol/src/merkle.ts (0x00 leaf, 0x01 node, odd node carried
// up), checked against `verifyMerkleProof` in test/research/snapshotProofs.test.ts.
import { createHash } from 'node:crypto';
import { type MerkleProof, merkleLeaf } from '@datagraph/protocol';

function node(left: string, right: string): string {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(Buffer.from(left, 'hex'))
    .update(Buffer.from(right, 'hex'))
    .digest('hex');
}

export interface SnapshotTree {
  root: string;
  size: number;
  proof(index: number): MerkleProof;
}

export function snapshotTree(commitments: readonly string[]): SnapshotTree {
  if (commitments.length === 0) throw new RangeError('an empty snapshot tree has no proofs');
  const levels: string[][] = [commitments.map(merkleLeaf)];
  let level = levels[0] as string[];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const l = level[i] as string;
      const r = level[i + 1];
      next.push(r === undefined ? l : node(l, r));
    }
    levels.push(next);
    level = next;
  }
  const size = commitments.length;
  return {
    root: (levels[levels.length - 1] as string[])[0] as string,
    size,
    proof(index: number): MerkleProof {
      const path: MerkleProof['path'] = [];
      let i = index;
      for (const lv of levels.slice(0, -1)) {
        const sib = i % 2 === 0 ? i + 1 : i - 1;
        const hash = lv[sib];
        if (hash !== undefined) path.push({ hash, left: sib < i });
        i = Math.floor(i / 2);
      }
      return { index, size, path };
    },
  };
}

/** The commitments a snapshot's accepted updates put on chain, in leaf order (the metagraph's `combine`). */
export function snapshotCommitments(updates: readonly { value: { type: string } }[]): string[] {
  const out: string[] = [];
  for (const u of updates) {
    const v = u.value as { type: string; entries?: { commitment: string }[] };
    if (v.type === 'IngestBatch') for (const e of v.entries ?? []) out.push(e.commitment);
  }
  return out;
}
