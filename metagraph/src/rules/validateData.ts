// Tessellation's `validateData`: the stateful checks a metagraph L0 runs on a snapshot's updates.
//
// Granularity: a whole update is accepted or rejected, never part of one. Tessellation validates whole signed
// updates, and a snapshot carries each update exactly as its signer signed it, so dropping bad entries from a
// gateway-signed IngestBatch would put on chain something nobody signed. Each problem names its entry index,
// so the gateway learns which entries to drop before it re-batches the rest.
import type { SignedDataUpdate } from '@datagraph/protocol';
import { checkUpdateState } from './checkUpdateState.ts';
import { PendingState } from './PendingState.ts';
import type { Problem } from './Problem.ts';
import type { RulesConfig } from './RulesConfig.ts';
import type { StateView } from './StateView.ts';
import { updateHash } from './updateHash.ts';

export interface UpdateVerdict {
  /** Position in the `updates` given to validateData. */
  index: number;
  /** updateHash of the update. */
  hash: string;
  update: SignedDataUpdate;
  /** Empty when accepted. */
  problems: Problem[];
}

export interface ValidateDataResult {
  /** Accepted updates in the order given: what combine takes. */
  accepted: SignedDataUpdate[];
  rejected: UpdateVerdict[];
  /** One verdict per update, in the order given. */
  verdicts: UpdateVerdict[];
}

/**
 * Judge `updates` in order, each against `state` as changed by the ones accepted before it in this call.
 * Assumes each update passed validateUpdate (signatures are not verified again here); `state` is not changed.
 */
export function validateData(
  state: StateView,
  updates: readonly SignedDataUpdate[],
  config: RulesConfig,
  /** updateHash of each update, when the caller has them already (the node keeps them from validateUpdate). */
  hashes?: readonly string[],
): ValidateDataResult {
  const view = new PendingState(state, state.ordinal + 1);
  const result: ValidateDataResult = { accepted: [], rejected: [], verdicts: [] };
  updates.forEach((update, index) => {
    const problems = checkUpdateState(view, update.value, config);
    const verdict: UpdateVerdict = { index, hash: hashes?.[index] ?? updateHash(update), update, problems };
    result.verdicts.push(verdict);
    if (problems.length === 0) {
      view.apply(update.value);
      result.accepted.push(update);
    } else {
      result.rejected.push(verdict);
    }
  });
  return result;
}
