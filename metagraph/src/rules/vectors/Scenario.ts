// A conformance scenario before its expectations are computed: the snapshots that build the state before,
// and the updates (any JSON, signed or not) that the vector's snapshot receives.
import type { SignedDataUpdate } from '@datagraph/protocol';
import type { RulesConfig } from '../RulesConfig.ts';

export interface Scenario {
  /** File name without .json: lowercase words and dashes. */
  name: string;
  description: string;
  config: RulesConfig;
  /** Snapshots run before the vector (each must be accepted whole); they become `stateBefore`. */
  setup: SignedDataUpdate[][];
  /** What arrives at the data L1 for the vector's snapshot, in order. */
  updates: unknown[];
}
