import fc from 'fast-check';
import t from 'tap';
import { merkleProof, merkleRoot, merkleTree, sha256Hex, verifyMerkleProof } from '../src/index.ts';

const leaf = fc.integer({ min: 0, max: 1e9 }).map((n) => sha256Hex(String(n)));

t.test('every leaf of every tree size proves against the root', async (t) => {
  fc.assert(
    fc.property(fc.array(leaf, { minLength: 1, maxLength: 70 }), (leaves) => {
      const root = merkleRoot(leaves);
      return leaves.every((c, i) => verifyMerkleProof(c, merkleProof(leaves, i), root));
    }),
    { numRuns: 200 },
  );
  t.pass('property held');
});

t.test('a commitment not in the tree, or a changed root, does not prove', async (t) => {
  fc.assert(
    fc.property(fc.array(leaf, { minLength: 1, maxLength: 40 }), leaf, (leaves, outsider) => {
      fc.pre(!leaves.includes(outsider));
      const root = merkleRoot(leaves);
      const p = merkleProof(leaves, 0);
      return (
        !verifyMerkleProof(outsider, p, root) &&
        !verifyMerkleProof(leaves[0] as string, p, merkleRoot([...leaves, outsider]))
      );
    }),
    { numRuns: 200 },
  );
  t.pass('property held');
});

t.test('root depends on order; a lone leaf is not its own root (domain separation)', async (t) => {
  const a = sha256Hex('a');
  const b = sha256Hex('b');
  t.not(merkleRoot([a, b]), merkleRoot([b, a]));
  t.not(merkleRoot([a]), a);
  t.throws(() => merkleProof([a], 1), RangeError);
});

t.test('a tree built once gives the same root and proofs as the one-shot functions', async (t) => {
  fc.assert(
    fc.property(fc.array(leaf, { minLength: 1, maxLength: 50 }), (leaves) => {
      const tree = merkleTree(leaves);
      return (
        tree.root === merkleRoot(leaves) &&
        leaves.every((_, i) => JSON.stringify(tree.proof(i)) === JSON.stringify(merkleProof(leaves, i)))
      );
    }),
    { numRuns: 100 },
  );
  t.throws(() => merkleTree([]), RangeError);
  t.throws(() => merkleTree([sha256Hex('a')]).proof(1), RangeError);
});
