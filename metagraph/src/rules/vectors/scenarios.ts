// Every conformance scenario, in file-name order of the vectors they become.
import { compareStrings } from '../compare.ts';
import { acceptScenarios } from './acceptScenarios.ts';
import type { Scenario } from './Scenario.ts';
import { statefulScenarios } from './statefulScenarios.ts';
import { statelessScenarios } from './statelessScenarios.ts';

export function allScenarios(): Scenario[] {
  const all = [...acceptScenarios(), ...statelessScenarios(), ...statefulScenarios()];
  const names = new Set(all.map((s) => s.name));
  if (names.size !== all.length) throw new Error('two scenarios share a name');
  return all.sort((a, b) => compareStrings(a.name, b.name));
}
