// The calculated state: the hash chain guards apply, deltas are upserts, the JSON form is canonical, and the
// registry and consent transitions behave as docs/data-application.md says.
import { canonicalJson } from '@datagraph/protocol';
import t from 'tap';
import {
  CalculatedState,
  combine,
  GENESIS_STATE_HASH,
  updateHash,
  validateData,
  validateUpdate,
} from '../../src/rules/index.ts';
import {
  alice,
  aliceRegistration,
  bob,
  bobWatch,
  config,
  gateway,
  hub,
  ingestBatch,
  policy,
  registeredState,
  registerProvider,
  revokeConsent,
  snapshot,
  steps,
  watch,
} from './world.ts';

t.test('a new state is empty at ordinal 0 with the genesis hash', (t) => {
  const s = new CalculatedState();
  t.equal(s.ordinal, 0);
  t.equal(s.hash, GENESIS_STATE_HASH);
  t.same(s.totals(), { entries: 0, providers: 0, devices: 0 });
  t.same(s.toJSON(), {
    v: 1,
    ordinal: 0,
    hash: GENESIS_STATE_HASH,
    providers: [],
    devices: [],
    entries: [],
    queryReceipts: [],
    rewardCycles: [],
  });
  t.end();
});

t.test('apply refuses a delta that does not continue the hash chain, and changes nothing', (t) => {
  const state = registeredState();
  const { delta } = combine(state, [ingestBatch(gateway, 'a', [steps(1)])], 2);
  const before = canonicalJson(state.toJSON());
  t.throws(() => state.apply({ ...delta, previousHash: GENESIS_STATE_HASH }));
  t.throws(() => state.apply({ ...delta, ordinal: 1 }));
  t.equal(canonicalJson(state.toJSON()), before);
  state.apply(delta);
  t.equal(state.hash, delta.hash);
  t.throws(() => state.apply(delta), 'the same delta twice');
  t.end();
});

t.test('combine refuses an ordinal that does not move forward', (t) => {
  const state = registeredState();
  t.throws(() => combine(state, [], 1), RangeError);
  t.throws(() => combine(state, [], 1.5), RangeError);
  t.doesNotThrow(() => combine(state, [], 7));
  t.end();
});

t.test('every snapshot moves the hash chain, an empty one too; the on-chain state names it', (t) => {
  const state = registeredState();
  const h1 = state.hash;
  const empty = snapshot(state, []);
  t.not(state.hash, h1);
  t.equal(empty.onChain.calculatedStateHash, state.hash);
  t.equal(empty.onChain.entriesRoot, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.same(empty.onChain.totals, { entries: 0, providers: 2, devices: 3 });
  t.end();
});

t.test('fromJSON refuses a state that is not a CalculatedStateJson', (t) => {
  const json = registeredState().toJSON();
  t.throws(() => CalculatedState.fromJSON({ ...json, providers: [{ address: 'nope' }] }));
  t.throws(() => CalculatedState.fromJSON({ ...json, extra: 1 }));
  t.throws(() => CalculatedState.fromJSON(null));
  t.end();
});

t.test('toJSON lists providers and devices by address, entries in chain order', (t) => {
  const state = registeredState();
  snapshot(state, [ingestBatch(gateway, 'a', [steps(2, { device: hub }), steps(1)])]);
  snapshot(state, [ingestBatch(gateway, 'b', [steps(3)])]);
  const j = state.toJSON();
  const sorted = (xs: string[]) => [...xs].sort();
  t.same(
    j.providers.map((p) => p.address),
    sorted([alice.address, bob.address]),
  );
  t.same(
    j.devices.map((d) => d.address),
    sorted([watch.address, hub.address, bobWatch.address]),
  );
  t.same(
    j.entries.map((e) => [e.ordinal, e.index, e.seq]),
    [
      [2, 0, 2],
      [2, 1, 1],
      [3, 0, 3],
    ],
  );
  t.end();
});

t.test('validateData re-checks gateway authorisation against its own config', (t) => {
  const state = registeredState();
  const batch = ingestBatch(gateway, 'a', [steps(1)]);
  t.same(validateUpdate(batch, config), []);
  const r = validateData(state, [batch], { authorisedGateways: [] });
  t.same(
    r.rejected[0]?.problems.map((p) => p.code),
    ['MG_GATEWAY_NOT_AUTHORISED'],
  );
  t.end();
});

t.test('verdicts carry index and update hash; accepted keeps the given order', (t) => {
  const state = registeredState();
  const a = ingestBatch(gateway, 'a', [steps(1)]);
  const bad = ingestBatch(gateway, 'bad', [steps(1, { device: bobWatch })]);
  const b = ingestBatch(gateway, 'b', [steps(2)]);
  const r = validateData(state, [a, bad, b], config);
  t.same(r.accepted, [a, b]);
  t.same(
    r.verdicts.map((v) => [v.index, v.hash, v.problems.length === 0]),
    [
      [0, updateHash(a), true],
      [1, updateHash(bad), false],
      [2, updateHash(b), true],
    ],
  );
  t.equal(r.rejected[0]?.index, 1);
  t.end();
});

t.test('a device dropped by its provider is released with its lastSeq, and may be claimed again', (t) => {
  const state = registeredState();
  snapshot(state, [ingestBatch(gateway, 'a', [steps(5, { device: hub })])]);
  snapshot(state, [aliceRegistration(2, [watch])]);
  t.same(state.device(hub.address), { address: hub.address, publicKey: hub.publicKey, provider: null, lastSeq: 5 });
  t.same(state.provider(alice.address)?.devices, [watch.address]);
  const claim = snapshot(state, [
    registerProvider(bob, [bobWatch, hub], policy(bob.address, 2, { steps: ['hourly'] })),
  ]);
  t.same(claim.rejected, []);
  t.equal(state.device(hub.address)?.provider, bob.address);
  t.equal(state.lastSeq(hub.address), 5, 'seqs never restart');
  t.end();
});

t.test('revoke then erase, erase then revoke: erased stays erased; a higher registration re-activates', (t) => {
  const state = registeredState();
  snapshot(state, [revokeConsent(alice, 1), revokeConsent(alice, 1, 'EraseData'), revokeConsent(alice, 2)]);
  t.match(state.provider(alice.address), { status: 'erased', revokedVersion: 2, policyVersion: 1 });
  const back = snapshot(state, [aliceRegistration(2), aliceRegistration(3)]);
  t.same(
    back.verdicts.map((v) => v.problems.map((p) => p.code)),
    [['MG_POLICY_VERSION_NOT_INCREASING'], []],
  );
  t.match(state.provider(alice.address), { status: 'active', revokedVersion: 2, policyVersion: 3 });
  t.end();
});

t.test('the ledger keeps consent normalised: fields in catalogue order, cadences sorted and unique', (t) => {
  const state = new CalculatedState();
  snapshot(state, [
    registerProvider(alice, [watch], policy(alice.address, 1, { steps: ['hourly', 'hourly'], age_band: ['profile'] })),
  ]);
  const p = state.provider(alice.address);
  t.same(Object.keys(p?.consent ?? {}), ['age_band', 'steps']);
  t.same(p?.consent.steps, ['hourly']);
  t.end();
});
