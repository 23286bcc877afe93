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
  const shared = applyPrivacySteps(draft, policy, steps);
  if (shared === null) return { kind: 'withheld' };
  const parsed = UpdateBody.safeParse({
    v: 1,
    id: randomUUID(),
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
