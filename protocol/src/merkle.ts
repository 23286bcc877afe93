// A binary Merkle tree over hex commitments (SHA-256, RFC 6962-style domain separation: 0x00 for a leaf,
// 0x01 for an inner node, so a leaf can never pass as a node). An odd node at a level is carried up as is.
import { createHash } from 'node:crypto';
import { z } from 'zod';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const MerkleProof = z.object({
  index: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  /** Sibling hashes from the leaf level up; `left` says the sibling sits on the left. */
  path: z.array(z.object({ hash: Hex64, left: z.boolean() })),
});
export type MerkleProof = z.infer<typeof MerkleProof>;

export function merkleLeaf(commitment: string): string {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(Buffer.from(commitment, 'hex'))
    .digest('hex');
}

function node(left: string, right: string): string {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(Buffer.from(left, 'hex'))
    .update(Buffer.from(right, 'hex'))
    .digest('hex');
}

/** Every level of the tree, leaves first. */
function levels(commitments: readonly string[]): string[][] {
  const out: string[][] = [commitments.map(merkleLeaf)];
  let level = out[0] as string[];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const l = level[i] as string;
      const r = level[i + 1];
      next.push(r === undefined ? l : node(l, r));
    }
    out.push(next);
    level = next;
  }
  return out;
}

export interface MerkleTree {
  root: string;
  size: number;
  /** Inclusion proof of leaf `index`, in O(log n) from the levels built once. */
  proof(index: number): MerkleProof;
}

/** Build the tree once, for a root and any number of proofs (a snapshot of many entries). */
export function merkleTree(commitments: readonly string[]): MerkleTree {
  if (commitments.length === 0) throw new RangeError('an empty tree has no leaves');
  const lv = levels(commitments);
  const size = commitments.length;
  return {
    root: (lv[lv.length - 1] as string[])[0] as string,
    size,
    proof(index: number): MerkleProof {
      if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`no leaf ${index}`);
      const path: MerkleProof['path'] = [];
      let i = index;
      for (const level of lv.slice(0, -1)) {
        const sib = i % 2 === 0 ? i + 1 : i - 1;
        const hash = level[sib];
        if (hash !== undefined) path.push({ hash, left: sib < i });
        i = Math.floor(i / 2);
      }
      return { index, size, path };
    },
  };
}

/** Root of the tree over the commitments in order; the empty tree's root is SHA-256 of nothing. */
export function merkleRoot(commitments: readonly string[]): string {
  if (commitments.length === 0) return createHash('sha256').digest('hex');
  return merkleTree(commitments).root;
}

export function merkleProof(commitments: readonly string[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= commitments.length) throw new RangeError(`no leaf ${index}`);
  return merkleTree(commitments).proof(index);
}

/** Whether `commitment` sits at `proof.index` of a tree with root `root`. */
export function verifyMerkleProof(commitment: string, proof: MerkleProof, root: string): boolean {
  let h = merkleLeaf(commitment);
  for (const step of proof.path) h = step.left ? node(step.hash, h) : node(h, step.hash);
  return h === root;
}
