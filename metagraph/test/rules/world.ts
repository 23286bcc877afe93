// Helpers for the rule tests over the vectors' cast (one gateway, providers Alice and Bob, their devices).
import type { SignedDataUpdate } from '@datagraph/protocol';
import { CalculatedState, combine, validateData } from '../../src/rules/index.ts';
import { aliceRegistration, bobRegistration, config, steps } from '../../src/rules/vectors/cast.ts';

export * from '../../src/rules/vectors/cast.ts';
export * from '../../src/rules/vectors/VectorWorld.ts';

/** An hourly steps entry of Alice's watch (kept for the first tests' signature). */
export const stepsEntry = (seq: number, hour = seq) => steps(seq, { hour });

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
