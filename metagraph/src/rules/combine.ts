// Tessellation's `combine`: fold a snapshot's accepted updates into the next on-chain state and a delta of
// the calculated state. The delta holds only what changed, so a node with millions of entries applies it in
// place (CalculatedState.apply) instead of copying its state every snapshot.
//
// Calculated-state hash chain: hash = sha256hex(previousHash + hashCanonical(body)), where body is the delta
// without its two hashes: {ordinal, entries, providers, devices, queryReceipts, rewardCycles}. The chain starts
// at 64 zeros (GENESIS_STATE_HASH). It commits to the whole state without rehashing it each snapshot.
import { canonicalJson, merkleRoot, type SignedDataUpdate, sha256Hex } from '@datagraph/protocol';
import { sortedBy, sortRewardCycles } from './compare.ts';
import { PendingState } from './PendingState.ts';
import type { OnChainState, StateDelta } from './StateDelta.ts';
import type { StateView } from './StateView.ts';

export interface CombineResult {
  onChain: OnChainState;
  delta: StateDelta;
}

/**
 * The state after snapshot `ordinal` accepts `accepted` (validateData's `accepted`, in order) on top of `state`.
 * Pure: `state` is not changed; apply `delta` to it to move on.
 */
export function combine(state: StateView, accepted: readonly SignedDataUpdate[], ordinal: number): CombineResult {
  if (!Number.isInteger(ordinal) || ordinal <= state.ordinal) {
    throw new RangeError(`combine: ordinal ${ordinal} must be an integer above the state's ${state.ordinal}`);
  }
  const pending = new PendingState(state, ordinal);
  const counts = {
    updates: 0,
    entries: 0,
    registrations: 0,
    revocations: 0,
    erasures: 0,
    queryReceipts: 0,
    rewardCycles: 0,
  };
  for (const { value } of accepted) {
    pending.apply(value);
    counts.updates++;
    if (value.type === 'IngestBatch') counts.entries += value.entries.length;
    else if (value.type === 'RegisterProvider') counts.registrations++;
    else if (value.type === 'RevokeConsent') counts.revocations++;
    else if (value.type === 'EraseData') counts.erasures++;
    else if (value.type === 'QueryReceipt') counts.queryReceipts++;
    else counts.rewardCycles++;
  }
  // Members in canonical order, like PendingState's entry and device records: written natively (canonicalJson).
  const body = {
    devices: sortedBy(pending.devices.values(), (d) => d.address),
    entries: pending.entries,
    ordinal,
    providers: sortedBy(pending.providers.values(), (p) => p.address),
    queryReceipts: sortedBy(pending.queryReceipts.values(), (r) => r.query),
    rewardCycles: sortRewardCycles(pending.rewardCycles.values()),
  };
  const hash = sha256Hex(state.hash + sha256Hex(canonicalJson(body)));
  const delta: StateDelta = { ...body, previousHash: state.hash, hash };
  const onChain: OnChainState = {
    v: 1,
    ordinal,
    entriesRoot: merkleRoot(pending.entries.map((e) => e.commitment)),
    counts,
    totals: pending.totals(),
    calculatedStateHash: hash,
  };
  return { onChain, delta };
}

/** The commitments a snapshot's accepted updates put on chain, in Merkle-leaf order. */
export function snapshotCommitments(accepted: readonly SignedDataUpdate[]): string[] {
  return accepted.flatMap(({ value }) => (value.type === 'IngestBatch' ? value.entries.map((e) => e.commitment) : []));
}
