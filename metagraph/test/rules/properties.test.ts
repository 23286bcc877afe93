// Property tests (fast-check): Merkle roots and proofs over random snapshots, order dependence within one
// snapshot, independence from where snapshot boundaries fall, and purity of validateData and combine.
import {
  canonicalJson,
  type IngestEntry,
  merkleProof,
  merkleRoot,
  type SignedDataUpdate,
  verifyMerkleProof,
} from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import { CalculatedState, combine, validateData } from '../../src/rules/index.ts';
import { config, gateway, hub, ingestBatch, registeredState, snapshot, steps, watch } from './world.ts';

const N = 24;
const watchPool = Array.from({ length: N }, (_, i) => steps(i + 1));
const hubPool = Array.from({ length: N }, (_, i) => steps(i + 1, { device: hub, hour: 100 + i }));

/** Random increasing subsets of both devices' entries, interleaved, then cut into batches. */
const batchesArb = fc
  .tuple(
    fc.subarray(watchPool),
    fc.subarray(hubPool),
    fc.array(fc.boolean(), { minLength: 2 * N, maxLength: 2 * N }),
    fc.array(fc.nat(4), { minLength: 2 * N, maxLength: 2 * N }),
  )
  .map(([w, h, coin, cuts]) => {
    const merged: IngestEntry[] = [];
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < w.length || j < h.length) {
      const takeWatch = j >= h.length || (i < w.length && coin[k++ % coin.length]);
      merged.push(takeWatch ? (w[i++] as IngestEntry) : (h[j++] as IngestEntry));
    }
    const batches: IngestEntry[][] = [];
    let current: IngestEntry[] = [];
    merged.forEach((e, n) => {
      current.push(e);
      if (cuts[n] === 0) {
        batches.push(current);
        current = [];
      }
    });
    if (current.length > 0) batches.push(current);
    return batches;
  });

const signBatches = (batches: IngestEntry[][]): SignedDataUpdate[] =>
  batches.map((b, n) => ingestBatch(gateway, `p${n}`, b));

t.test('entriesRoot is the Merkle root of the accepted commitments, and every entry proves into it', (t) => {
  fc.assert(
    fc.property(batchesArb, (batches) => {
      const state = registeredState();
      const s = snapshot(state, signBatches(batches));
      const commitments = batches.flat().map((e) => e.commitment);
      if (s.rejected.length !== 0 || s.onChain.entriesRoot !== merkleRoot(commitments)) return false;
      return commitments.every((c, i) => {
        const rec = state.entry(c);
        return (
          rec?.index === i &&
          rec.ordinal === s.onChain.ordinal &&
          verifyMerkleProof(c, merkleProof(commitments, rec.index), s.onChain.entriesRoot)
        );
      });
    }),
    { numRuns: 40, seed: 11 },
  );
  t.end();
});

t.test('within one snapshot, order decides: a seq is accepted only above every seq accepted before it', (t) => {
  const single = watchPool.slice(0, 10).map((e, n) => ingestBatch(gateway, `single-${n}`, [e]));
  fc.assert(
    fc.property(fc.shuffledSubarray(single, { minLength: 1 }), (updates) => {
      const state = registeredState();
      const r = validateData(state, updates, config);
      let max = 0;
      return updates.every((u, i) => {
        const seq = (u.value.type === 'IngestBatch' && u.value.entries[0]?.seq) || 0;
        const problems = r.verdicts[i]?.problems ?? [];
        if (seq > max) {
          max = seq;
          return problems.length === 0;
        }
        return problems.length === 1 && problems[0]?.code === 'MG_SEQ_OUT_OF_ORDER';
      });
    }),
    { numRuns: 60, seed: 12 },
  );
  t.end();
});

t.test('where snapshot boundaries fall does not change the registry, seqs or entries', (t) => {
  fc.assert(
    fc.property(batchesArb, fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (batches, cut) => {
      const updates = signBatches(batches);
      const one = registeredState();
      snapshot(one, updates);
      const many = registeredState();
      let pending: SignedDataUpdate[] = [];
      updates.forEach((u, i) => {
        pending.push(u);
        if (cut[i % cut.length]) {
          snapshot(many, pending);
          pending = [];
        }
      });
      snapshot(many, pending);
      const a = one.toJSON();
      const b = many.toJSON();
      return (
        canonicalJson(a.devices) === canonicalJson(b.devices) &&
        canonicalJson(a.entries.map((e) => e.commitment)) === canonicalJson(b.entries.map((e) => e.commitment)) &&
        a.providers.length === b.providers.length
      );
    }),
    { numRuns: 30, seed: 13 },
  );
  t.end();
});

t.test('validateData and combine are pure: the state is untouched and a rerun gives the same bytes', (t) => {
  fc.assert(
    fc.property(batchesArb, fc.boolean(), (batches, replayFirst) => {
      const state = registeredState();
      const updates = signBatches(batches);
      if (replayFirst && updates[0]) snapshot(state, [updates[0]]);
      const before = canonicalJson(state.toJSON());
      const r1 = validateData(state, updates, config);
      const c1 = combine(state, r1.accepted, state.ordinal + 1);
      const r2 = validateData(state, updates, config);
      const c2 = combine(state, r2.accepted, state.ordinal + 1);
      return (
        canonicalJson(state.toJSON()) === before &&
        canonicalJson(r1.verdicts) === canonicalJson(r2.verdicts) &&
        canonicalJson(c1) === canonicalJson(c2)
      );
    }),
    { numRuns: 30, seed: 14 },
  );
  t.end();
});

t.test('a state rebuilt from its JSON at any point ends identical', (t) => {
  fc.assert(
    fc.property(batchesArb, fc.nat(), (batches, at) => {
      const updates = signBatches(batches);
      const live = registeredState();
      let restored = registeredState();
      updates.forEach((u, i) => {
        snapshot(live, [u]);
        snapshot(restored, [u]);
        if (i === at % updates.length) restored = CalculatedState.fromJSON(JSON.parse(JSON.stringify(restored)));
      });
      return canonicalJson(live.toJSON()) === canonicalJson(restored.toJSON()) && live.hash === restored.hash;
    }),
    { numRuns: 20, seed: 15 },
  );
  t.end();
});

t.test('pools are well formed', (t) => {
  t.equal(watchPool[0]?.device, watch.address);
  t.equal(hubPool[0]?.device, hub.address);
  t.end();
});
