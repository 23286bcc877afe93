// The download's fast line writer is byte for byte protocol's codec (whose reader refuses anything else).
import { randomUUID } from 'node:crypto';
import {
  encodeMerkleCompact,
  generateKeyPair,
  makeSalt,
  merkleTree,
  ndjsonLineToRow,
  rowToNdjsonLine,
  signUpdate,
} from '@datagraph/protocol';
import t from 'tap';
import { ndjsonRowLine } from '../../src/research/ndjsonRowLine.ts';

t.test('ndjsonRowLine = rowToNdjsonLine over trees of many sizes and both cadences', async (t) => {
  const device = generateKeyPair();
  const provider = generateKeyPair();
  for (const n of [1, 2, 7, 64]) {
    const updates = Array.from({ length: n }, (_, i) =>
      signUpdate(
        {
          v: 1,
          id: randomUUID(),
          provider: provider.address,
          device: device.address,
          seq: i + 1,
          cadence: i % 2 ? 'hourly' : 'profile',
          window: { start: 3600 * i, end: 3600 * (i + 1) },
          policyVersion: 2,
          fields: i % 2 ? { steps: i * 13, heart_rate_avg: 61.5 } : { gender: 'female', age_band: '75+' },
          salt: makeSalt(),
        },
        device,
      ),
    );
    const tree = merkleTree(updates.map((u) => u.commitment));
    updates.forEach((u, i) => {
      const merkle = tree.proof(i);
      const fast = ndjsonRowLine(i + 5, u, 42, encodeMerkleCompact(merkle), tree.root);
      const codec = rowToNdjsonLine({ row: i + 5, ...u, ordinal: 42, merkle, entriesRoot: tree.root });
      if (fast !== codec) t.equal(fast, codec, `row ${i} of ${n}`);
      t.doesNotThrow(() => ndjsonLineToRow(fast), 'strict reader takes it');
    });
  }
});
