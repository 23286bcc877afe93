// Build a vector from a scenario by running the rules, and check a vector file against the rules: the same
// pipeline a node runs (validateUpdate at POST, then validateData and combine for the snapshot).
import { canonicalJson, hashCanonical, type SignedDataUpdate } from '@datagraph/protocol';
import { CalculatedState } from '../CalculatedState.ts';
import { combine } from '../combine.ts';
import type { Problem } from '../Problem.ts';
import type { RulesConfig } from '../RulesConfig.ts';
import { validateData } from '../validateData.ts';
import { validateUpdate } from '../validateUpdate.ts';
import type { Scenario } from './Scenario.ts';
import { type Vector, type VectorOutcome, type VectorProblem, vectorText } from './Vector.ts';

function normative(problems: Problem[]): VectorProblem[] {
  return problems.map((p) => (p.entry === undefined ? { code: p.code } : { code: p.code, entry: p.entry }));
}

/** Run one snapshot's worth of updates through the rules on `state` (changed in place). */
export function runSnapshot(state: CalculatedState, updates: readonly unknown[], config: RulesConfig) {
  const stateless = updates.map((u) => validateUpdate(u, config));
  const passing = updates.filter((_, i) => stateless[i]?.length === 0) as SignedDataUpdate[];
  const stateful = validateData(state, passing, config);
  const { onChain, delta } = combine(state, stateful.accepted, state.ordinal + 1);
  state.apply(delta);
  let next = 0;
  const expected: VectorOutcome[] = updates.map((u, i) => {
    const problems = stateless[i] ?? [];
    const verdict = problems.length === 0 ? stateful.verdicts[next++] : undefined;
    return {
      hash: hashCanonical(u),
      validateUpdate: normative(problems),
      validateData: verdict ? { accepted: verdict.problems.length === 0, problems: normative(verdict.problems) } : null,
    };
  });
  return { expected, onChain };
}

export function buildVector(scenario: Scenario): Vector {
  const state = new CalculatedState();
  scenario.setup.forEach((updates, i) => {
    const { expected } = runSnapshot(state, updates, scenario.config);
    const refused = expected.findIndex((o) => o.validateData?.accepted !== true);
    if (refused >= 0)
      throw new Error(
        `${scenario.name}: setup snapshot ${i} refused update ${refused}: ${JSON.stringify(expected[refused])}`,
      );
  });
  const stateBefore = state.toJSON();
  const { expected, onChain } = runSnapshot(state, scenario.updates, scenario.config);
  return {
    v: 1,
    name: scenario.name,
    description: scenario.description,
    config: scenario.config,
    stateBefore,
    ordinal: stateBefore.ordinal + 1,
    updates: scenario.updates,
    expected,
    stateAfter: state.toJSON(),
    onChainAfter: onChain,
  };
}

/** Re-run a vector (as read from its file) through the rules; the list of what differs, empty when it passes. */
export function checkVector(vector: Vector): string[] {
  const state = CalculatedState.fromJSON(vector.stateBefore);
  const { expected, onChain } = runSnapshot(state, vector.updates, vector.config);
  const diffs: string[] = [];
  const same = (what: string, got: unknown, want: unknown) => {
    // Canonical JSON: key order is not normative (a port's serialiser may order keys its own way).
    const g = canonicalJson(got);
    const w = canonicalJson(want);
    if (g !== w) diffs.push(`${vector.name}: ${what}: got ${g.slice(0, 400)} want ${w.slice(0, 400)}`);
  };
  same('ordinal', state.ordinal, vector.ordinal);
  for (const [i, o] of expected.entries()) same(`update ${i}`, o, vector.expected[i]);
  same('update count', expected.length, vector.expected.length);
  same('stateAfter', state.toJSON(), vector.stateAfter);
  same('onChainAfter', onChain, vector.onChainAfter);
  return diffs;
}

export { vectorText };
