// A small deterministic world for the rule tests: one gateway, two providers, three devices.

import type { SignedDataUpdate } from '@datagraph/protocol';
import { CalculatedState, combine, type RulesConfig, validateData } from '../../src/rules/index.ts';
import {
  entry,
  hourWindow,
  ingestBatch,
  keyFromSeed,
  policy,
  registerProvider,
} from '../../src/rules/vectors/VectorWorld.ts';

export const gateway = keyFromSeed('gateway');
export const rogueGateway = keyFromSeed('rogue-gateway');
export const alice = keyFromSeed('alice');
export const bob = keyFromSeed('bob');
export const watch = keyFromSeed('alice-watch');
export const hub = keyFromSeed('alice-hub');
export const bobWatch = keyFromSeed('bob-watch');
export const config: RulesConfig = { authorisedGateways: [gateway.address] };

export const aliceConsent = policy(alice.address, 1, {
  steps: ['hourly'],
  heart_rate_avg: ['hourly'],
  sleep_hours: ['daily'],
  age_band: ['profile'],
});

export function aliceRegistration(): SignedDataUpdate {
  return registerProvider(alice, [watch, hub], aliceConsent);
}

export function bobRegistration(): SignedDataUpdate {
  return registerProvider(bob, [bobWatch], policy(bob.address, 1, { steps: ['hourly'] }));
}

/** An hourly steps entry from Alice's watch. */
export function stepsEntry(seq: number, hour = seq, device = watch) {
  return entry({
    device,
    provider: alice.address,
    seq,
    cadence: 'hourly',
    window: hourWindow(hour),
    policyVersion: 1,
    values: { steps: 1000 + seq },
    seed: `${device.address}/${seq}/${hour}`,
  });
}

/** Run updates through validateData and combine on `state` at the next ordinal, and apply the delta. */
export function snapshot(state: CalculatedState, updates: SignedDataUpdate[]) {
  const result = validateData(state, updates, config);
  const combined = combine(state, result.accepted, state.ordinal + 1);
  state.apply(combined.delta);
  return { ...result, ...combined };
}

/** A state where Alice and Bob are registered (snapshot 1). */
export function registeredState(): CalculatedState {
  const state = new CalculatedState();
  snapshot(state, [aliceRegistration(), bobRegistration()]);
  return state;
}

export { ingestBatch };
