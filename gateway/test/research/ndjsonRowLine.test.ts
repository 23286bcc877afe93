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
import { ndjsonRowLine, ndjsonRowLineFromText } from '../../src/research/ndjsonRowLine.ts';
import { proofFromText, type RowRef } from '../../src/research/ResearchStore.ts';

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
      // the vault row's text as ingest stores it, spliced
      const text = JSON.stringify({ body: u.body, commitment: u.commitment, proof: u.proof, receivedAt: 7 });
      const spliced = ndjsonRowLineFromText(i + 5, text, 42, encodeMerkleCompact(merkle), tree.root);
      if (spliced !== codec) t.equal(spliced, codec, `spliced row ${i} of ${n}`);
    });
  }
});

t.test('ndjsonRowLineFromText refuses text not in the codec order (the caller then parses it)', async (t) => {
  const device = generateKeyPair();
  const u = signUpdate(
    {
      v: 1,
      id: randomUUID(),
      provider: device.address,
      device: device.address,
      seq: 1,
      cadence: 'hourly',
      window: { start: 0, end: 3600 },
      policyVersion: 1,
      fields: { steps: 5 },
      salt: makeSalt(),
    },
    device,
  );
  const tree = merkleTree([u.commitment]);
  const m = encodeMerkleCompact(tree.proof(0));
  const { window, ...rest } = u.body;
  const cases = {
    'keys reordered': { body: { ...rest, window }, commitment: u.commitment, proof: u.proof, receivedAt: 1 },
    'window keys reordered': {
      body: { ...u.body, window: { end: window.end, start: window.start } },
      commitment: u.commitment,
      proof: u.proof,
      receivedAt: 1,
    },
    'proof keys reordered': {
      body: u.body,
      commitment: u.commitment,
      proof: { signature: u.proof.signature, id: u.proof.id },
      receivedAt: 1,
    },
    'commitment first': { commitment: u.commitment, body: u.body, proof: u.proof, receivedAt: 1 },
  };
  for (const [name, v] of Object.entries(cases))
    t.equal(ndjsonRowLineFromText(0, JSON.stringify(v), 1, m, tree.root), undefined, name);
  t.equal(
    ndjsonRowLineFromText(0, JSON.stringify({ ...cases['keys reordered'], body: u.body }), 1, m, tree.root),
    rowToNdjsonLine({ row: 0, ...u, ordinal: 1, merkle: tree.proof(0), entriesRoot: tree.root }),
  );
});

t.test('proofFromText reads the proof members of a stored RowRef as JSON.parse would', async (t) => {
  const tree = merkleTree(Array.from({ length: 9 }, (_, i) => String(i).padStart(64, 'a')));
  for (const policyVersion of [undefined, 3]) {
    const r: RowRef = {
      id: randomUUID(),
      provider: generateKeyPair().address,
      commitment: 'c'.repeat(64),
      cadence: 'hourly',
      fields: ['heart_rate_avg', 'steps'],
      start: 0,
      end: 3600,
      ...(policyVersion === undefined ? {} : { policyVersion }),
      ordinal: 1234567,
      merkle: encodeMerkleCompact(tree.proof(5)),
      entriesRoot: tree.root,
    };
    t.same(proofFromText(JSON.stringify(r)), { ordinal: r.ordinal, merkle: r.merkle, entriesRoot: r.entriesRoot });
  }
  t.equal(proofFromText('{"ordinal":1}'), undefined, 'members missing');
});
