// Every change a provider makes is a new signed registration (devices + consent policy, version + 1) or a
// signed RevokeConsent / EraseData, posted to the gateway's public provider routes, which relay it.
import type { ConsentPolicy, RegisteredDevice } from '@datagraph/protocol';
import { call } from './api.ts';
import type { AppState } from './state.ts';
import { signRegistration, signStop } from './wallet.ts';

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function register(
  state: AppState,
  devices: RegisteredDevice[],
  consent: Pick<ConsentPolicy, 'fields' | 'generalisation' | 'expiresAt'>,
): Promise<void> {
  const key = state.key;
  if (!key) throw new Error('sign in first');
  const prev = state.dash?.registration;
  const policy: ConsentPolicy = {
    v: 1,
    provider: key.address,
    version: (prev?.policyVersion ?? 0) + 1,
    fields: consent.fields,
    generalisation: consent.generalisation,
    issuedAt: nowSeconds(),
    expiresAt: consent.expiresAt,
  };
  await call('POST', '/v1/providers', signRegistration(key, devices, policy));
}

export async function stop(state: AppState, type: 'RevokeConsent' | 'EraseData'): Promise<{ rowsDeleted: number }> {
  const key = state.key;
  const reg = state.dash?.registration;
  if (!key || !reg) throw new Error('nothing to stop: no registration');
  const path = `/v1/providers/${key.address}/${type === 'EraseData' ? 'erase' : 'revoke'}`;
  return call('POST', path, signStop(key, type, reg.policyVersion, nowSeconds()));
}
