// The trust boundary for consent: a retained MQTT message on dg/v1/policy/{deviceId} becomes a policy in force
// only if it parses, the provider's signature over the policy verifies, the signer is the provider this device is
// paired with, and its version is not older than the policy already in force (an old retained copy is a replay).

import type { ErrorCode } from '@datagraph/protocol';
import { type ConsentPolicy, parseJson, proofAddress, SignedPolicy, verifyValueProof } from '@datagraph/protocol';

export type PolicyVerdict = { ok: true; signed: SignedPolicy } | { ok: false; code: ErrorCode; message: string };

export function verifyPolicyMessage(
  payload: Uint8Array | string,
  pairedProvider: string | undefined,
  current: ConsentPolicy | undefined,
): PolicyVerdict {
  let value: unknown;
  try {
    value = parseJson(payload, 'policy');
  } catch {
    return { ok: false, code: 'AG_POLICY_INVALID', message: 'policy is not JSON' };
  }
  const parsed = SignedPolicy.safeParse(value);
  if (!parsed.success) return { ok: false, code: 'AG_POLICY_INVALID', message: 'policy does not match SignedPolicy' };
  const signed = parsed.data;
  // The signature covers the policy exactly as the provider sent it (before zod fills defaults in).
  const rawPolicy = (value as { policy: unknown }).policy;
  if (!verifyValueProof(rawPolicy, signed.proof))
    return { ok: false, code: 'AG_POLICY_BAD_SIGNATURE', message: 'policy signature does not verify' };
  const signer = proofAddress(signed.proof);
  if (signer !== signed.policy.provider)
    return {
      ok: false,
      code: 'AG_POLICY_WRONG_PROVIDER',
      message: 'policy is signed by a key other than its provider',
    };
  if (pairedProvider !== undefined && signer !== pairedProvider) {
    return {
      ok: false,
      code: 'AG_POLICY_WRONG_PROVIDER',
      message: 'policy is signed by a provider this device is not paired with',
    };
  }
  if (current && signed.policy.version < current.version)
    return {
      ok: false,
      code: 'AG_POLICY_STALE',
      message: `policy version ${signed.policy.version} is older than ${current.version}`,
    };
  return { ok: true, signed };
}
