// The rules end to end: register, ingest, combine, apply; replays and out-of-order seqs are refused.
import { merkleRoot } from '@datagraph/protocol';
import t from 'tap';
import { CalculatedState, updateHash, validateUpdate } from '../../src/rules/index.ts';
import { alice, config, gateway, ingestBatch, registeredState, snapshot, stepsEntry, watch } from './world.ts';

t.test('a registered provider ingests a batch; the snapshot commits its entries', (t) => {
  const state = registeredState();
  t.equal(state.ordinal, 1);
  t.equal(state.provider(alice.address)?.policyVersion, 1);
  t.equal(state.device(watch.address)?.provider, alice.address);

  const entries = [stepsEntry(1), stepsEntry(2), stepsEntry(3)];
  const batch = ingestBatch(gateway, 'b1', entries);
  t.same(validateUpdate(batch, config), []);
  const s = snapshot(state, [batch]);
  t.same(s.rejected, []);
  t.equal(s.onChain.ordinal, 2);
  t.equal(s.onChain.counts.entries, 3);
  t.equal(s.onChain.entriesRoot, merkleRoot(entries.map((e) => e.commitment)));
  t.equal(state.lastSeq(watch.address), 3);
  t.ok(state.hasCommitment(entries[1]?.commitment as string));
  t.match(state.entry(entries[2]?.commitment as string), { seq: 3, ordinal: 2, index: 2, provider: alice.address });
  t.end();
});

t.test('a replayed batch is refused as a replay; a lower new seq as out of order', (t) => {
  const state = registeredState();
  const batch = ingestBatch(gateway, 'b1', [stepsEntry(1), stepsEntry(2)]);
  snapshot(state, [batch]);
  const again = snapshot(state, [batch]);
  t.same(again.accepted, []);
  t.same(
    again.rejected[0]?.problems.map((p) => [p.code, p.entry]),
    [
      ['MG_SEQ_REPLAYED', 0],
      ['MG_SEQ_REPLAYED', 1],
    ],
  );
  t.equal(again.rejected[0]?.hash, updateHash(batch));
  const older = snapshot(state, [ingestBatch(gateway, 'b2', [stepsEntry(2, 7)])]);
  t.same(
    older.rejected[0]?.problems.map((p) => p.code),
    ['MG_SEQ_OUT_OF_ORDER'],
  );
  t.end();
});

t.test('state survives toJSON/fromJSON exactly', (t) => {
  const state = registeredState();
  snapshot(state, [ingestBatch(gateway, 'b1', [stepsEntry(1), stepsEntry(2)])]);
  const copy = CalculatedState.fromJSON(JSON.parse(JSON.stringify(state)));
  t.equal(JSON.stringify(copy), JSON.stringify(state));
  t.equal(copy.hash, state.hash);
  t.equal(copy.lastSeq(watch.address), 2);
  t.end();
});
