// A closed window's draft becomes a signed update: privacy steps first, then the body is parsed against the
// outbound `UpdateBody` schema (fail closed), salted, numbered and signed with the device key.
import { randomUUID } from 'node:crypto';
import {
  type ConsentPolicy,
  describeIssues,
  type KeyPair,
  makeSalt,
  type SignedUpdate,
  signUpdate,
  UpdateBody,
} from '@datagraph/protocol';
import type { Draft } from '../aggregate/Aggregator.ts';
import { applyPrivacySteps, type PrivacyStep, privacySteps } from './privacySteps.ts';

export type BuildResult =
  | { kind: 'update'; update: SignedUpdate }
  | { kind: 'withheld' }
  | { kind: 'invalid'; problems: string[] };

export function buildUpdate(
  draft: Draft,
  policy: ConsentPolicy,
  device: Pick<KeyPair, 'privateKey' | 'publicKey' | 'address'>,
  seq: number,
  steps: readonly PrivacyStep[] = privacySteps,
): BuildResult {
  return build(draft, policy, device, seq, randomUUID(), steps);
}

/**
 * An update made under an earlier policy, made again under `policy` (the gateway takes only the current version):
 * the same id and seq, its fields through the privacy steps again (a field the new policy does not consent to is
 * dropped, and the window withheld if nothing is left or it ends after the new expiry), a fresh salt and signature.
 * Only what was shared already can be shared again: fields the old policy kept on the device are not there to add.
 */
export function reissueUpdate(
  update: SignedUpdate,
  policy: ConsentPolicy,
  device: Pick<KeyPair, 'privateKey' | 'publicKey' | 'address'>,
  steps: readonly PrivacyStep[] = privacySteps,
): BuildResult {
  const { body } = update;
  const draft: Draft = {
    cadence: body.cadence,
    window: { startMs: body.window.start * 1000, endMs: body.window.end * 1000 },
    fields: body.fields,
  };
  return build(draft, policy, device, body.seq, body.id, steps);
}

function build(
  draft: Draft,
  policy: ConsentPolicy,
  device: Pick<KeyPair, 'privateKey' | 'publicKey' | 'address'>,
  seq: number,
  id: string,
  steps: readonly PrivacyStep[],
): BuildResult {
  const shared = applyPrivacySteps(draft, policy, steps);
  if (shared === null) return { kind: 'withheld' };
  const parsed = UpdateBody.safeParse({
    v: 1,
    id,
    provider: policy.provider,
    device: device.address,
    seq,
    cadence: shared.cadence,
    window: { start: Math.floor(shared.window.startMs / 1000), end: Math.floor(shared.window.endMs / 1000) },
    policyVersion: policy.version,
    fields: shared.fields,
    salt: makeSalt(),
  });
  if (!parsed.success) return { kind: 'invalid', problems: describeIssues(parsed.error) };
  return { kind: 'update', update: signUpdate(parsed.data, device) };
}
