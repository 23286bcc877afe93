// The stateful checks on one IngestEntry: registry, consent and replay (DESIGN.md section 1, step 8).
import type { IngestEntry } from '@datagraph/protocol';
import { type Problem, problem } from './Problem.ts';
import type { StateView } from './StateView.ts';

/**
 * Problems of entry `i` against `view`. `batchLastSeq` holds the highest seq per device among the earlier
 * entries of the same batch, which are judged before this one (and commit with it, or not at all).
 */
export function checkEntryState(
  view: StateView,
  entry: IngestEntry,
  i: number,
  batchLastSeq: Map<string, number>,
): Problem[] {
  const out: Problem[] = [];
  const at = { entry: i };
  const provider = view.provider(entry.provider);
  if (provider === undefined) {
    out.push(problem('MG_PROVIDER_UNKNOWN', `provider ${entry.provider} is not registered`, at));
  } else if (provider.status === 'revoked') {
    out.push(problem('MG_CONSENT_REVOKED', 'provider has revoked consent', at));
  } else if (provider.status === 'erased') {
    out.push(problem('MG_PROVIDER_ERASED', 'provider has erased their data', at));
  } else if (entry.policyVersion !== provider.policyVersion) {
    out.push(
      problem(
        'MG_POLICY_VERSION_MISMATCH',
        `entry is under policy ${entry.policyVersion}, the provider's is ${provider.policyVersion}`,
        at,
      ),
    );
  } else {
    // Consent is judged only under the policy the entry claims, which is now known to be the current one.
    for (const field of entry.fields) {
      if (!provider.consent[field]?.includes(entry.cadence)) {
        out.push(problem('MG_FIELD_NOT_CONSENTED', `${field} is not consented at ${entry.cadence}`, at));
      }
    }
    if (provider.expiresAt !== null && entry.window.end > provider.expiresAt) {
      out.push(problem('MG_CONSENT_EXPIRED', 'window ends after the consent policy expired', at));
    }
  }
  const device = view.device(entry.device);
  if (device === undefined || device.provider !== entry.provider) {
    out.push(problem('MG_DEVICE_NOT_REGISTERED', `device ${entry.device} is not registered to this provider`, at));
  }
  out.push(...checkSeq(view, entry, batchLastSeq));
  return out.length === 0 ? out : out.map((p) => ({ ...p, entry: i }));
}

// Seq rule: a seq at or below the device's last accepted one is a replay when this very entry (its commitment
// or its id) is already on chain, and out of order otherwise. Above it, the commitment and id must still be new.
function checkSeq(view: StateView, entry: IngestEntry, batchLastSeq: Map<string, number>): Problem[] {
  const last = Math.max(view.lastSeq(entry.device), batchLastSeq.get(entry.device) ?? 0);
  const knownCommitment = view.hasCommitment(entry.commitment);
  const knownId = view.hasEntryId(entry.id);
  if (entry.seq <= last) {
    return knownCommitment || knownId
      ? [problem('MG_SEQ_REPLAYED', `entry seq ${entry.seq} was already accepted`)]
      : [problem('MG_SEQ_OUT_OF_ORDER', `seq ${entry.seq} is not greater than the device's last accepted seq ${last}`)];
  }
  const out: Problem[] = [];
  if (knownCommitment) out.push(problem('MG_COMMITMENT_EXISTS', 'commitment is already on chain under another seq'));
  if (knownId) out.push(problem('MG_ENTRY_ID_EXISTS', 'entry id is already on chain'));
  return out;
}
