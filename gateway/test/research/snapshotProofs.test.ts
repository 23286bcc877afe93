// The gateway's one-pass proofs are protocol's Merkle proofs: same tree, same root, every leaf verifies.
import { randomBytes } from 'node:crypto';
import { merkleProof, merkleRoot, merkleTree, verifyMerkleProof } from '@datagraph/protocol';
import t from 'tap';
import { snapshotCommitments } from '../../src/research/snapshotProofs.ts';

t.test('every proof equals protocol merkleProof and verifies against merkleRoot', async (t) => {
  for (const n of [1, 2, 3, 5, 8, 13, 33, 100]) {
    const leaves = Array.from({ length: n }, () => randomBytes(32).toString('hex'));
    const tree = merkleTree(leaves);
    t.equal(tree.root, merkleRoot(leaves), `root of ${n}`);
    for (let i = 0; i < n; i++) {
      t.same(tree.proof(i), merkleProof(leaves, i));
      if (!verifyMerkleProof(leaves[i] as string, tree.proof(i), tree.root)) t.fail(`leaf ${i} of ${n}`);
    }
    t.notOk(
      verifyMerkleProof(leaves[0] as string, tree.proof(n - 1), tree.root) && n > 1,
      'a proof is bound to its leaf',
    );
  }
});

t.test('snapshot commitments: IngestBatch entries in block order, other updates skipped', async (t) => {
  const c = (x: string) => x.repeat(64);
  const updates = [
    { value: { type: 'IngestBatch', entries: [{ commitment: c('a') }, { commitment: c('b') }] } },
    { value: { type: 'RegisterProvider' } },
    { value: { type: 'IngestBatch', entries: [{ commitment: c('c') }] } },
  ];
  t.same(snapshotCommitments(updates), [c('a'), c('b'), c('c')]);
});
