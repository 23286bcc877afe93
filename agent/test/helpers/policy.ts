// Provider-signed consent policies for tests, signed exactly as a provider's wallet would (dag4 data signing).
import {
  type Cadence,
  ConsentPolicy,
  FIELD_NAMES,
  type FieldName,
  fieldSpec,
  type KeyPair,
  type SignedPolicy,
  signValue,
} from '@datagraph/protocol';

export type PolicyInput = Omit<ConsentPolicy, 'v' | 'provider' | 'generalisation'> &
  Partial<Pick<ConsentPolicy, 'provider' | 'generalisation'>>;

export function signPolicy(provider: KeyPair, policy: PolicyInput): SignedPolicy {
  const full = ConsentPolicy.parse({ v: 1, provider: provider.address, ...policy });
  return { policy: full, proof: signValue(provider.privateKey, provider.publicKey, full) };
}

/** Every catalogue field at its own cadence. */
export function allFields(): Partial<Record<FieldName, Cadence[]>> {
  return Object.fromEntries(FIELD_NAMES.map((f) => [f, [fieldSpec(f).cadence]]));
}
