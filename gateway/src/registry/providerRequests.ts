// Building the provider-signed requests the gateway takes (used by `datagraph provider` and by tests).
// The provider key signs the RegisterProvider value and, separately, the policy alone (what devices verify).
import {
  type ConsentPolicy,
  type KeyPair,
  type RegisteredDevice,
  type SignedDataUpdate,
  signValue,
} from '@datagraph/protocol';
import type { RegisterRequest } from './ProviderService.ts';

/**
 * @example
 * const req = buildRegistration(provider, [{ address, publicKey }], policy);
 * await fetch(`${gateway}/v1/providers`, { method: 'POST', body: JSON.stringify(req), headers: { 'content-type': 'application/json' } });
 */
export function buildRegistration(
  provider: KeyPair,
  devices: RegisteredDevice[],
  policy: ConsentPolicy,
): RegisterRequest {
  const value = { type: 'RegisterProvider' as const, v: 1 as const, provider: provider.address, devices, policy };
  return {
    registration: { value, proofs: [signValue(provider.privateKey, provider.publicKey, value)] },
    policyProof: signValue(provider.privateKey, provider.publicKey, policy),
  };
}

export function buildProviderAction(
  provider: KeyPair,
  type: 'RevokeConsent' | 'EraseData',
  policyVersion: number,
  atSeconds: number,
): SignedDataUpdate {
  const value = { type, v: 1 as const, provider: provider.address, policyVersion, at: atSeconds };
  return { value, proofs: [signValue(provider.privateKey, provider.publicKey, value)] };
}
